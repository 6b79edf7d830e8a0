import { useQuery } from "@tanstack/react-query";
import { type ApiData, api, call } from "./client";

export type CountyStats = ApiData<"/api/stats/counties", "get">;
export type CountyFigures = CountyStats["counties"][number];

/** Per-county figures within the user's scope (GET /api/stats/counties). */
export function useCountyStats() {
  return useQuery({
    queryKey: ["stats", "counties"],
    queryFn: () => call(api.GET("/api/stats/counties")),
    staleTime: 60_000,
  });
}
