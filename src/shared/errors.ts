/**
 * Errors with stable codes and Chinese messages. Services throw these; the HTTP edge maps the code
 * to a status (src/server/plugins/errors.ts). Clients branch on `code`, people read `message`.
 */
export const errorCodes = {
  VALIDATION_FAILED: { status: 400, message: "输入有误" },
  BAD_REQUEST: { status: 400, message: "请求无效" },
  UNAUTHENTICATED: { status: 401, message: "请先登录" },
  INVALID_CREDENTIALS: { status: 401, message: "用户名或密码错误" },
  ACCOUNT_LOCKED: { status: 423, message: "账号已被锁定，请稍后再试" },
  ACCOUNT_DISABLED: { status: 403, message: "账号已停用" },
  CSRF_FAILED: { status: 403, message: "安全校验失败，请刷新页面后重试" },
  FORBIDDEN: { status: 403, message: "没有权限执行此操作" },
  NOT_FOUND: { status: 404, message: "未找到" },
  CONFLICT: { status: 409, message: "数据冲突" },
  WEAK_PASSWORD: { status: 400, message: "密码不符合要求" },
  FILE_TOO_LARGE: { status: 413, message: "文件过大" },
  UNSUPPORTED_FILE: { status: 415, message: "不支持的文件" },
  IMPORT_INVALID: { status: 422, message: "导入文件有误" },
  RATE_LIMITED: { status: 429, message: "请求过于频繁，请稍后再试" },
  INTERNAL: { status: 500, message: "服务器内部错误" },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export interface FieldIssue {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? errorCodes[code].message);
    this.code = code;
    this.status = errorCodes[code].status;
    this.details = details;
  }
}

export const notFound = (what = "记录") => new AppError("NOT_FOUND", `${what}不存在或无权访问`);
export const forbidden = (message?: string) => new AppError("FORBIDDEN", message);
export const invalid = (issues: FieldIssue[], message?: string) =>
  new AppError("VALIDATION_FAILED", message ?? issues.map((i) => `${i.field}: ${i.message}`).join("；"), {
    issues,
  });
