import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import type { Actor } from "../../shared/actor.js";
import { AppError, invalid } from "../../shared/errors.js";
import { recordAudit } from "../audit/record.js";
import { accessEpoch } from "./access-epoch.js";
import { dummyPasswordHash, hashPassword, passwordProblems, verifyPassword } from "./passwords.js";
import type { Permission } from "./permissions.js";
import type { AccessRepository } from "./repository.js";

/** Lockout: after this many failed sign-ins in a row the account is locked for LOCK_MINUTES. */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
/**
 * How long a resolved session is remembered in this process. Writes of this process clear it at
 * once; a change made by another process (CLI `user disable`) takes effect within this time.
 */
export const SESSION_CACHE_MS = 2000;

const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");
const randomToken = (bytes = 32) => crypto.randomBytes(bytes).toString("base64url");

/** Where a request came from, kept in the audit row's context. */
export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

export interface SignedInUser {
  id: number;
  username: string;
  displayName: string;
  roles: string[];
  permissions: string[];
  scope: { code: string; path: string; name: string }[];
  mustChangePassword: boolean;
}

/**
 * Sign-in, sessions and API-token authentication. Session ids and token secrets are stored only as
 * SHA-256 hashes, so a copy of the database does not let anyone sign in.
 */
export class AuthService {
  private readonly sessionCache = {
    epoch: -1,
    entries: new Map<string, { until: number; value: { actor: Actor; csrfToken: string } }>(),
  };

  constructor(
    private readonly repo: AccessRepository,
    private readonly sessionTtlMinutes: number,
    private readonly now: () => Date = () => new Date(),
    private readonly sessionCacheMs = SESSION_CACHE_MS,
  ) {}

  /**
   * Signs in. Every outcome is audited (entity "session"): login, or login_failed with the reason,
   * written in the same transaction as the counters and the session it changes.
   */
  async login(username: string, password: string, meta: RequestMeta = {}) {
    const name = username.trim();
    const user = await this.repo.findUserByUsername(name);
    const now = this.now();
    // A failed sign-in is recorded as "public", named by the username that was tried.
    const failed = (tx: Kysely<DB>, reason: string, context: Record<string, unknown> = {}) =>
      recordAudit(
        tx,
        { type: "public", id: user?.id ?? null, name: name.slice(0, 64) },
        {
          action: "login_failed",
          entity: "session",
          entityKey: name.slice(0, 64),
          context: { reason, ...meta, ...context },
        },
      );
    if (!user) {
      await verifyPassword(await dummyPasswordHash(), password); // same time as a real check
      await this.repo.transaction((_, tx) => failed(tx, "unknown_user"));
      throw new AppError("INVALID_CREDENTIALS");
    }
    if (user.disabled) {
      await this.repo.transaction((_, tx) => failed(tx, "disabled"));
      throw new AppError("ACCOUNT_DISABLED");
    }
    if (user.locked_until && user.locked_until > now) {
      await this.repo.transaction((_, tx) => failed(tx, "locked"));
      const minutes = Math.ceil((user.locked_until.getTime() - now.getTime()) / 60000);
      throw new AppError("ACCOUNT_LOCKED", `连续登录失败次数过多，账号已锁定，请${minutes}分钟后再试`, {
        lockedUntil: user.locked_until.toISOString(),
      });
    }
    if (!(await verifyPassword(user.password_hash, password))) {
      const attempts = user.failed_attempts + 1;
      const lock = attempts >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCK_MINUTES * 60000) : null;
      await this.repo.transaction(async (repo, tx) => {
        await repo.recordFailedLogin(user.id, lock ? 0 : attempts, lock);
        await failed(tx, lock ? "bad_password_locked" : "bad_password", {
          attempts,
          ...(lock ? { lockedUntil: lock.toISOString() } : {}),
        });
      });
      if (lock)
        throw new AppError(
          "ACCOUNT_LOCKED",
          `连续${MAX_FAILED_LOGINS}次密码错误，账号已锁定${LOCK_MINUTES}分钟`,
          { lockedUntil: lock.toISOString() },
        );
      throw new AppError(
        "INVALID_CREDENTIALS",
        `用户名或密码错误，再错${MAX_FAILED_LOGINS - attempts}次将锁定账号`,
      );
    }
    const sessionId = randomToken();
    const csrfToken = randomToken(24);
    await this.repo.transaction(async (repo, tx) => {
      await repo.recordLogin(user.id, now);
      await repo.createSession({
        id_hash: sha256(sessionId),
        user_id: user.id,
        csrf_token: csrfToken,
        expires_at: this.expiry(),
      });
      const scope = await repo.scopeOf(user.id);
      await recordAudit(
        tx,
        { type: "user", id: user.id, name: user.username },
        {
          action: "login",
          entity: "session",
          entityKey: user.username,
          orgPath: scope[0]?.path ?? null,
          context: { ...meta },
        },
      );
    });
    return { sessionId, csrfToken, user: await this.describe(user.id) };
  }

  /** Ends one session, audited as logout. */
  async logout(sessionId: string, actor: Actor | null, meta: RequestMeta = {}) {
    await this.repo.transaction(async (repo, tx) => {
      await repo.deleteSession(sha256(sessionId));
      if (actor)
        await recordAudit(tx, actor, {
          action: "logout",
          entity: "session",
          entityKey: actor.name,
          orgPath: actor.scopePaths[0] ?? null,
          context: { ...meta },
        });
    });
  }

  /**
   * Self-service password change: the current password is checked, the new one must pass the
   * policy and differ from it; the must-change flag clears and every other session of the user ends.
   */
  async changePassword(actor: Actor, currentSessionId: string | null, current: string, next: string) {
    if (actor.type !== "user" || actor.id === null) throw new AppError("FORBIDDEN", "接口令牌不能修改密码");
    const user = await this.repo.findUserById(actor.id);
    if (!user) throw new AppError("NOT_FOUND");
    const now = this.now();
    if (user.locked_until && user.locked_until > now)
      throw new AppError("ACCOUNT_LOCKED", "连续密码错误次数过多，账号已锁定，请稍后再试", {
        lockedUntil: user.locked_until.toISOString(),
      });
    if (!(await verifyPassword(user.password_hash, current))) {
      // A wrong current password counts toward lockout like a failed sign-in: a session left open
      // must not let anyone guess the password without limit.
      const attempts = user.failed_attempts + 1;
      const lock = attempts >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCK_MINUTES * 60000) : null;
      await this.repo.transaction(async (repo, tx) => {
        await repo.recordFailedLogin(user.id, lock ? 0 : attempts, lock);
        await recordAudit(tx, actor, {
          action: "change_password_failed",
          entity: "user",
          entityKey: user.username,
          orgPath: actor.scopePaths[0] ?? null,
          context: { attempts, ...(lock ? { lockedUntil: lock.toISOString() } : {}) },
        });
      });
      if (lock)
        throw new AppError(
          "ACCOUNT_LOCKED",
          `连续${MAX_FAILED_LOGINS}次密码错误，账号已锁定${LOCK_MINUTES}分钟`,
          { lockedUntil: lock.toISOString() },
        );
      throw invalid([
        {
          field: "currentPassword",
          message: `当前密码不正确，再错${MAX_FAILED_LOGINS - attempts}次将锁定账号`,
        },
      ]);
    }
    const problems = passwordProblems(next, user.username);
    if (current === next) problems.push("新密码不能与当前密码相同");
    if (problems.length) throw new AppError("WEAK_PASSWORD", problems.join("；"), { issues: problems });
    const passwordHash = await hashPassword(next);
    return this.repo.transaction(async (repo, tx) => {
      await repo.setPassword(user.id, passwordHash, this.now());
      const ended = await repo.deleteSessionsOfUser(
        user.id,
        currentSessionId ? sha256(currentSessionId) : undefined,
      );
      await recordAudit(tx, actor, {
        action: "change_password",
        entity: "user",
        entityKey: user.username,
        orgPath: actor.scopePaths[0] ?? null,
        context: { otherSessionsEnded: ended },
      });
      return { otherSessionsEnded: ended };
    });
  }

  /**
   * The actor behind a session cookie, with the session's CSRF token; null when absent or expired.
   * Remembered for SESSION_CACHE_MS (this runs on every request, and the lookup joins the user, their
   * roles' permissions and their scope); any access write of this process empties the cache at once
   * (access-epoch.ts).
   */
  async resolveSession(sessionId: string): Promise<{ actor: Actor; csrfToken: string } | null> {
    const idHash = sha256(sessionId);
    const now = this.now().getTime();
    const epoch = accessEpoch.value;
    if (this.sessionCache.epoch !== epoch) {
      this.sessionCache.entries.clear();
      this.sessionCache.epoch = epoch;
    }
    const hit = this.sessionCache.entries.get(idHash);
    if (hit && now < hit.until) return hit.value;
    const resolved = await this.lookUpSession(idHash);
    // Kept only if no access write happened meanwhile (the row read may predate it).
    if (resolved && accessEpoch.value === epoch) {
      const entries = this.sessionCache.entries;
      if (entries.size >= 10_000) entries.delete(entries.keys().next().value as string);
      entries.set(idHash, {
        until: Math.min(now + this.sessionCacheMs, resolved.expiresAt),
        value: resolved.value,
      });
    }
    return resolved?.value ?? null;
  }

  private async lookUpSession(idHash: string) {
    const row = await this.repo.findSessionWithActor(idHash, this.now());
    if (!row || row.disabled) return null;
    // Sliding expiry, written at most once a minute.
    let expiresAt = new Date(row.expires_at).getTime();
    if (this.now().getTime() - new Date(row.last_seen_at).getTime() > 60_000) {
      const next = this.expiry();
      await this.repo.touchSession(row.id_hash, next);
      expiresAt = next.getTime();
    }
    const value = {
      csrfToken: row.csrf_token,
      actor: {
        type: "user",
        id: row.user_id,
        name: row.username,
        displayName: row.display_name,
        roles: row.roles,
        permissions: new Set(row.permissions as Permission[]),
        scopePaths: row.scope_paths,
      } satisfies Actor,
    };
    return { value, expiresAt };
  }

  /** The actor behind an API token `edu_<prefix>_<secret>`; null when unknown or revoked. */
  async resolveToken(token: string): Promise<Actor | null> {
    const m = /^edu_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{20,})$/.exec(token);
    if (!m) return null;
    const row = await this.repo.findTokenByPrefix(m[1]);
    if (!row || row.revoked_at || row.creator_disabled) return null;
    const expected = Buffer.from(row.token_hash, "hex");
    const actual = Buffer.from(sha256(m[2]), "hex");
    if (expected.length !== actual.length || !crypto.timingSafeEqual(expected, actual)) return null;
    // last_used_at is written at most once a minute, so a busy client does not write on every call.
    const now = this.now();
    if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > 60_000)
      await this.repo.touchToken(row.id, now);
    const paths = await this.repo.pathsOfOrgIds(row.scope_org_ids);
    return {
      type: "token",
      id: row.id,
      name: `token:${row.name}`,
      displayName: row.name,
      roles: [],
      permissions: new Set(row.permissions as Permission[]),
      scopePaths: paths.map((p) => p.path),
    };
  }

  async describe(userId: number): Promise<SignedInUser> {
    const user = await this.repo.findUserById(userId);
    if (!user) throw new AppError("NOT_FOUND");
    return {
      id: user.id,
      username: user.username,
      displayName: user.display_name,
      roles: user.roles,
      permissions: await this.repo.permissionsOf(user.roles),
      scope: await this.repo.scopeOf(user.id),
      mustChangePassword: user.must_change_password,
    };
  }

  private expiry() {
    return new Date(this.now().getTime() + this.sessionTtlMinutes * 60000);
  }
}

/** A new API token: the secret is shown once; only its hash is kept. */
export function newApiTokenSecret() {
  const prefix = crypto.randomBytes(6).toString("base64url").replace(/[-_]/g, "x").slice(0, 8);
  const secret = randomToken(24);
  return { prefix, secret, token: `edu_${prefix}_${secret}`, hash: sha256(secret) };
}
