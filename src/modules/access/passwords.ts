import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with OWASP's recommended minimum (m=19 MiB, t=2, p=1); the library's defaults.
 * (OWASP Password Storage Cheat Sheet.)
 */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: 2 /* Argon2id */ });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the username is unknown, so timing does not reveal it. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword("dummy-password-for-timing");
  return dummyHash;
}

/**
 * Password policy: at least 8 characters with letters and digits; not the username. Returns the
 * reasons it fails, in Chinese; empty when it passes.
 */
export function passwordProblems(password: string, username?: string): string[] {
  const problems: string[] = [];
  if (password.length < 8) problems.push("密码至少8位");
  if (password.length > 128) problems.push("密码不能超过128位");
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) problems.push("密码须同时包含字母和数字");
  if (username && password.toLowerCase().includes(username.toLowerCase()))
    problems.push("密码不能包含用户名");
  return problems;
}
