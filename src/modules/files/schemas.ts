import { z } from "zod";
import { attachmentMimes } from "./formats.js";

/** A stored attachment as records carry it (cases, reports): content address, size, type, name. */
export const storedFile = z.object({
  sha256: z.string().describe("SHA-256 of the stored bytes (hex)"),
  size: z.number().int().describe("字节数"),
  mime: z.enum(attachmentMimes as [string, ...string[]]).describe("按内容判断的类型"),
  name: z.string().describe("文件名（已清理）"),
});

export const uploadResponse = storedFile.extend({
  id: z.string().uuid().describe("上传编号：随所属记录一起提交"),
});

/** Upload ids sent with a record. */
export const uploadIds = z
  .array(z.string().uuid("附件编号格式不正确"))
  .max(10, "附件最多 10 个")
  .default([])
  .describe("POST /api/files 返回的上传编号");

export const fileParams = z.object({
  owner: z.string().regex(/^[a-z][a-z0-9_-]{0,30}$/),
  ownerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const fileQuery = z.object({
  download: z.enum(["0", "1"]).optional().describe("1: 以附件下载"),
});
