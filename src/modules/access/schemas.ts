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
