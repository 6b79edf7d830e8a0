import { z } from "zod";

export const loginBody = z.object({
  username: z.string().min(1, "请输入用户名").max(64),
  password: z.string().min(1, "请输入密码").max(256),
});

export const signedInUser = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
  scope: z.array(z.object({ code: z.string(), path: z.string(), name: z.string() })),
  mustChangePassword: z.boolean(),
});

export const loginResponse = z.object({ user: signedInUser, csrfToken: z.string() });

export const changePasswordBody = z.object({
  currentPassword: z.string().min(1, "请输入当前密码").max(256),
  newPassword: z.string().min(1, "请输入新密码").max(256),
});

const username = z.string().min(1, "请输入用户名").max(64);
const roleCodes = z.array(z.string().max(64)).min(1, "至少选择一个角色").max(20);
const scopeCodes = z.array(z.string().max(32)).min(1, "至少选择一个数据范围").max(200);
const booleanString = z.enum(["true", "false"]).transform((v) => v === "true");

export const usernameParams = z.object({ username });

export const userView = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  scope: z.array(z.object({ code: z.string(), name: z.string(), path: z.string() })),
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  locked: z.boolean().describe("Locked after repeated failed sign-ins; a password reset unlocks"),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});

export const userListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
  q: z.string().max(64).optional().describe("Part of the username or display name"),
  role: z.string().max(64).optional().describe("Only users holding this role code"),
  disabled: booleanString.optional().describe("true: only disabled accounts; false: only active ones"),
});

export const createUserBody = z.object({
  username,
  displayName: z.string().min(1, "请填写显示名").max(100),
  password: z.string().min(1, "请输入密码").max(256),
  roles: roleCodes,
  scopeCodes: scopeCodes.describe("Org unit codes; each must lie inside your own scope"),
  mustChangePassword: z.boolean().default(true).describe("The user must change the password (default)"),
});

export const patchUserBody = z
  .object({
    displayName: z.string().min(1, "请填写显示名").max(100).optional(),
    roles: roleCodes.optional(),
    scopeCodes: scopeCodes.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((o) => Object.values(o).some((v) => v !== undefined), { message: "没有要修改的内容" });

export const resetPasswordBody = z.object({
  password: z
    .string()
    .min(1, "请输入临时密码")
    .max(256)
    .describe("A temporary password the user must change"),
});

const permissionItem = z.object({ code: z.string(), label: z.string().describe("中文名称") });
const permissionNames = z.array(z.string().max(64)).min(1, "至少选择一项权限").max(50);

export const roleView = z.object({
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  builtin: z.boolean().describe("Built-in roles are read-only"),
  permissions: z.array(permissionItem),
});

export const roleList = z.object({
  items: z.array(roleView.extend({ holders: z.number().int().describe("Accounts holding the role") })),
  permissions: z.array(permissionItem).describe("Every permission a custom role may hold"),
});

export const roleParams = z.object({ code: z.string().max(64) });

export const createRoleBody = z.object({
  code: z.string().min(1, "请填写角色代码").max(32),
  name: z.string().min(1, "请填写角色名称").max(100),
  description: z.string().max(500).nullable().optional(),
  permissions: permissionNames,
});

export const patchRoleBody = z
  .object({
    name: z.string().min(1, "请填写角色名称").max(100).optional(),
    description: z.string().max(500).nullable().optional(),
    permissions: permissionNames.optional(),
  })
  .refine((o) => Object.values(o).some((v) => v !== undefined), { message: "没有要修改的内容" });

export const tokenView = z.object({
  id: z.number(),
  name: z.string(),
  prefix: z.string().describe("The public part of the token: edu_<prefix>_…"),
  permissions: z.array(z.string()),
  scope: z.array(z.object({ code: z.string(), name: z.string(), path: z.string() })),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revoked: z.boolean(),
  revokedAt: z.string().nullable(),
});

export const createdToken = tokenView.extend({
  token: z.string().describe("The secret, shown this once only: Authorization: Bearer <token>"),
});

export const createTokenBody = z.object({
  name: z.string().min(1, "请填写令牌名称").max(100),
  permissions: permissionNames,
  scopeCodes: scopeCodes.describe("Org unit codes; each must lie inside your own scope"),
});

export const tokenParams = z.object({ id: z.coerce.number().int().min(1) });
