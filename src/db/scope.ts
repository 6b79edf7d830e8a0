import { type Expression, type SqlBool, sql } from "kysely";

/**
 * The scope filter used by every repository: `column` lies under one of `paths`.
 * Each subtree /a/b/ is the half-open range ['/a/b/', '/a/b0') in the "C" collation ('0' follows
 * '/'), which a plain btree index on the path column serves directly.
 */
export function underPaths(column: string, paths: string[]): Expression<SqlBool> {
  if (paths.length === 0) return sql<SqlBool>`false`;
  const parts = paths.map((p) => {
    if (p === "/") return sql<SqlBool>`true`;
    const upper = `${p.slice(0, -1)}0`;
    return sql<SqlBool>`(${sql.ref(column)} >= ${p} and ${sql.ref(column)} < ${upper})`;
  });
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}
