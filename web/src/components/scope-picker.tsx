import { useQuery } from "@tanstack/react-query";
import { TreeSelect } from "antd";
import { useMemo } from "react";
import { type ApiData, api, call } from "../api/client";
import { useI18n } from "../i18n/i18n";

type Node = ApiData<"/api/org-units/tree", "get">["roots"][number];
interface Option {
  value: string;
  title: string;
  children?: Option[];
}

const toOptions = (nodes: Node[]): Option[] =>
  nodes.map((n) => ({
    value: n.code,
    title: `${n.name}（${n.code}）`,
    children: n.children?.length ? toOptions(n.children) : undefined,
  }));

/**
 * 数据范围: one or more org subtrees, picked on the org tree the user may see (their own scope:
 * the server refuses anything outside it anyway). Values are org unit codes.
 */
export function ScopePicker({ value, onChange }: { value?: string[]; onChange?: (v: string[]) => void }) {
  const { t } = useI18n();
  const tree = useQuery({
    queryKey: ["org-tree"],
    queryFn: () => call(api.GET("/api/org-units/tree")),
    staleTime: 60_000,
  });
  const options = useMemo(() => toOptions(tree.data?.roots ?? []), [tree.data]);
  return (
    <TreeSelect
      multiple
      showSearch={{ treeNodeFilterProp: "title" }}
      treeDefaultExpandedKeys={options.map((o) => o.value)}
      loading={tree.isPending}
      value={value}
      onChange={onChange}
      treeData={options}
      placeholder={t("users.scopePlaceholder")}
      style={{ width: "100%" }}
      listHeight={360}
      data-testid="scope-picker"
    />
  );
}
