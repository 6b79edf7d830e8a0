import { useQuery } from "@tanstack/react-query";
import { Card, Empty, Input, Space, Tree, Typography } from "antd";
import type { DataNode } from "antd/es/tree";
import { useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { type ApiData, api, call } from "../../api/client";
import { LoadError, PageLoading } from "../../components/page-state";
import { useI18n } from "../../i18n/i18n";

type Node = ApiData<"/api/org-units/tree", "get">["roots"][number];

/** The tree with only the branches whose names contain `q` (and their ancestors). */
function filterTree(nodes: Node[], q: string): { data: DataNode[]; expanded: string[] } {
  const expanded: string[] = [];
  const walk = (list: Node[]): DataNode[] =>
    list.flatMap((n) => {
      const children = walk(n.children ?? []);
      const hit = !q || n.name.includes(q) || n.code.startsWith(q);
      if (!hit && children.length === 0) return [];
      if (q && children.length) expanded.push(n.code);
      return [
        {
          key: n.code,
          title: (
            <span data-kind={n.kind}>
              {n.name} <Typography.Text type="secondary">{n.code}</Typography.Text>
            </span>
          ),
          children: children.length ? children : undefined,
          isLeaf: !n.children?.length,
        },
      ];
    });
  return { data: walk(nodes), expanded };
}

/** 组织机构: city → counties → schools, within the user's scope, with search. */
export default function OrgTreePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [q, setQ] = useState("");
  const [expandedKeys, setExpandedKeys] = useState<string[] | null>(null);
  const tree = useQuery({
    queryKey: ["org-tree"],
    queryFn: () => call(api.GET("/api/org-units/tree")),
    staleTime: 60_000,
  });
  const kinds = useMemo(() => {
    const m = new Map<string, string>();
    const walk = (l: Node[]) => {
      for (const n of l) {
        m.set(n.code, n.kind);
        walk(n.children ?? []);
      }
    };
    walk(tree.data?.roots ?? []);
    return m;
  }, [tree.data]);
  const filtered = useMemo(() => filterTree(tree.data?.roots ?? [], q.trim()), [tree.data, q]);
  if (tree.isPending) return <PageLoading />;
  if (tree.isError) return <LoadError error={tree.error} onRetry={() => void tree.refetch()} />;
  const defaultExpanded = (tree.data.roots ?? []).map((r) => r.code);

  return (
    <Card title={t("nav.org")}>
      <Space orientation="vertical" style={{ width: "100%" }}>
        <Input.Search
          allowClear
          placeholder={t("org.search")}
          onChange={(e) => {
            setQ(e.target.value);
            setExpandedKeys(null);
          }}
          style={{ maxWidth: 360 }}
          aria-label={t("org.search")}
          data-testid="org-search"
        />
        {filtered.data.length === 0 ? (
          <Empty description={t("common.noData")} />
        ) : (
          <Tree
            showLine
            height={560}
            treeData={filtered.data}
            expandedKeys={expandedKeys ?? (q ? filtered.expanded : defaultExpanded)}
            onExpand={(keys) => setExpandedKeys(keys as string[])}
            onSelect={(keys) => {
              const code = keys[0] as string | undefined;
              if (!code) return;
              const kind = kinds.get(code);
              if (kind === "school") navigate(`/schools/${code}`);
              else if (kind === "county") navigate(`/counties/${code}`);
            }}
            data-testid="org-tree"
          />
        )}
      </Space>
    </Card>
  );
}
