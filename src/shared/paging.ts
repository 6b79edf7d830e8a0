import { z } from "zod";

/** Page query shared by every list endpoint: page from 1, pageSize up to 200. */
export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type PageQuery = z.infer<typeof pageQuery>;

/** Counting stops here: past it a list reports "10000+" (totalExact false) instead of scanning. */
export const COUNT_CAP = 10_000;

export function pageOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number(),
    pageSize: z.number(),
    total: z.number().describe("Rows matching the filter, counted up to 10,000"),
    totalExact: z.boolean().describe("false when there are more than `total` rows"),
  });
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
  totalExact: boolean;
}
