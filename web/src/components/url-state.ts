import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

/**
 * List filters and the page number live in the URL, so a filtered list can be bookmarked, shared
 * and restored with the back button. Empty values are dropped; changing a filter returns to page 1.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => {
    const f = {} as Partial<Record<K, string>>;
    for (const k of keys) {
      const v = params.get(k);
      if (v) f[k] = v;
    }
    return f;
  }, [params, keys]);
  const page = Math.max(1, Number(params.get("page")) || 1);
  const pageSize = Math.min(200, Math.max(10, Number(params.get("pageSize")) || 20));
  const setFilter = useCallback(
    (k: K, v: string | undefined | null) =>
      setParams(
        (p) => {
          const n = new URLSearchParams(p);
          if (v) n.set(k, v);
          else n.delete(k);
          n.delete("page");
          return n;
        },
        { replace: true },
      ),
    [setParams],
  );
  const setPage = useCallback(
    (pg: number, size: number) =>
      setParams((p) => {
        const n = new URLSearchParams(p);
        n.set("page", String(pg));
        n.set("pageSize", String(size));
        return n;
      }),
    [setParams],
  );
  return { filters, page, pageSize, setFilter, setPage };
}

/** A query string of the defined values, for export links. */
export function toQueryString(values: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}
