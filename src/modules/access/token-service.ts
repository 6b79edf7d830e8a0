import { type Actor, requirePermission } from "../../shared/actor.js";
import { AppError, invalid, notFound } from "../../shared/errors.js";
import type { Page } from "../../shared/paging.js";
import { recordAudit } from "../audit/record.js";
import { newApiTokenSecret } from "./auth-service.js";
import { assertKnownPermissions, assertNoEscalation } from "./grant-rules.js";
import type { TokenRepository } from "./token-repository.js";

export interface TokenView {
  id: number;
  name: string;
  prefix: string;
  permissions: string[];
  scope: { code: string; name: string; path: string }[];
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
  revokedAt: string | null;
}

export interface NewToken {
  name: string;
  permissions: string[];
  scopeCodes: string[];
}

/** A token by its id, or by its public prefix (or the whole token, whose prefix is read). */
export type TokenRef = { id: number } | { prefix: string };

type TokenRow = NonNullable<Awaited<ReturnType<TokenRepository["find"]>>>;
type Org = { id: number; code: string; name: string; path: string };

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/**
 * API tokens for other platforms (permission tokens.manage). The secret is returned once at
 * creation; only its SHA-256 hash is stored. Tokens carry permissions and a scope under the same
 * rules as users: no permission the creator lacks, no org unit outside the creator's scope.
 */
export class TokenService {
  constructor(
    private readonly repo: TokenRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(actor: Actor, t: NewToken): Promise<TokenView & { token: string }> {
    requirePermission(actor, "tokens.manage");
    const name = t.name.trim();
    if (!name) throw invalid([{ field: "name", message: "请填写令牌名称" }]);
    const perms = [...new Set(t.permissions)];
    assertKnownPermissions(perms);
    assertNoEscalation(actor.permissions, perms, "授予");
    const secret = newApiTokenSecret();
    return this.repo.transaction(async (repo, tx) => {
      const orgs = await resolveScope(repo, actor, t.scopeCodes);
      const { id } = await repo.insert({
        name,
        prefix: secret.prefix,
        token_hash: secret.hash,
        permissions: perms,
        scope_org_ids: orgs.map((o) => o.id),
        created_by: actor.type === "user" ? actor.id : null,
      });
      const row = await repo.find({ id }, actor.scopePaths);
      if (!row) throw new AppError("INTERNAL");
      await recordAudit(tx, actor, {
        action: "create",
        entity: "api_token",
        entityKey: secret.prefix,
        orgPath: orgs[0].path,
        after: { id, name, prefix: secret.prefix, permissions: perms, scope: orgs.map((o) => o.code) },
      });
      return { ...present(row, orgs), token: secret.token };
    });
  }

  async list(actor: Actor, page: { page: number; pageSize: number }): Promise<Page<TokenView>> {
    requirePermission(actor, "tokens.manage");
    const r = await this.repo.list(actor.scopePaths, page);
    const orgs = await this.repo.orgsByIds([...new Set(r.rows.flatMap((t) => t.scope_org_ids))]);
    return {
      items: r.rows.map((t) => present(t, orgs)),
      page: page.page,
      pageSize: page.pageSize,
      total: r.total,
      totalExact: r.totalExact,
    };
  }

  /** Revokes a token: refused from the next request on. Revoking twice changes nothing. */
  async revoke(actor: Actor, ref: TokenRef): Promise<TokenView> {
    requirePermission(actor, "tokens.manage");
    return this.repo.transaction(async (repo, tx) => {
      const row = await repo.find(ref, actor.scopePaths, true);
      if (!row) throw notFound("接口令牌");
      assertNoEscalation(actor.permissions, row.permissions, "管理拥有");
      const orgs = await repo.orgsByIds(row.scope_org_ids);
      if (row.revoked_at) return present(row, orgs);
      const at = this.now();
      await repo.revoke(row.id, at);
      await recordAudit(tx, actor, {
        action: "revoke",
        entity: "api_token",
        entityKey: row.prefix,
        orgPath: orgs[0]?.path ?? null,
        before: { revoked: false },
        after: { revoked: true, revokedAt: at.toISOString() },
        context: { id: row.id, name: row.name },
      });
      return present({ ...row, revoked_at: at }, orgs);
    });
  }
}

/** "12" → id 12; "edu_AbCd1234_…" or "AbCd1234" → prefix. For the CLI. */
export function parseTokenRef(s: string): TokenRef {
  const t = s.trim();
  if (/^\d{1,7}$/.test(t)) return { id: Number(t) };
  const m = /^edu_([A-Za-z0-9]{8})_/.exec(t);
  return { prefix: m ? m[1] : t };
}

async function resolveScope(repo: TokenRepository, actor: Actor, codes: string[]): Promise<Org[]> {
  const unique = [...new Set(codes)];
  if (unique.length === 0) throw invalid([{ field: "scopeCodes", message: "至少选择一个数据范围" }]);
  const orgs = await repo.orgsByCodes(unique, actor.scopePaths);
  const missing = unique.filter((c) => !orgs.some((o) => o.code === c));
  if (missing.length)
    throw invalid([
      { field: "scopeCodes", message: `组织机构不存在或不在您的数据范围内：${missing.join("、")}` },
    ]);
  return orgs;
}

function present(t: TokenRow, orgs: Org[]): TokenView {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    permissions: t.permissions,
    scope: orgs
      .filter((o) => t.scope_org_ids.includes(o.id))
      .map((o) => ({ code: o.code, name: o.name, path: o.path })),
    createdBy: t.created_by_name ?? null,
    createdAt: iso(t.created_at) ?? "",
    lastUsedAt: iso(t.last_used_at),
    revoked: !!t.revoked_at,
    revokedAt: iso(t.revoked_at),
  };
}
