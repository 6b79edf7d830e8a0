import { PlusOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  Drawer,
  Popconfirm,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from "antd";
import { useMemo, useState } from "react";
import { api, call } from "../../api/client";
import { useSession } from "../../auth/session";
import { LoadError } from "../../components/page-state";
import { CensusPanel } from "./census-panel";
import {
  errorText,
  formulaText,
  type Group,
  type Indicator,
  type Target,
  useDefinitions,
  useTargets,
} from "./common";
import { GroupEditor } from "./group-editor";
import { IndicatorEditor } from "./indicator-editor";
import { TargetsPanel } from "./targets-panel";

/** A row of the list: a key task (group) with its indicators as children, or one indicator. */
type Row =
  | { key: string; kind: "group"; group: Group | null; children: Row[] }
  | { key: string; kind: "indicator"; indicator: Indicator; targets: Target[] };

/** What the drawer shows: a new indicator, or an existing one on its definition or targets tab. */
type Editing = { indicator: Indicator | null; tab: "definition" | "targets" } | null;

const mono = { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", fontSize: 12 };

/**
 * 指标管理 (city staff, indicators.manage): the indicators of the ten key tasks by group, with their
 * formulas and targets; create and edit an indicator (its expressions checked by the server, with
 * the positions of errors), set its targets per org unit and period, and retire it. Changes reach
 * the cockpit at once: the server drops its cached results on every definition change.
 */
export default function IndicatorsPage() {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [showRetired, setShowRetired] = useState(false);
  const [editing, setEditing] = useState<Editing>(null);
  /** The key task being edited: a group, "new", or none. */
  const [groupEditing, setGroupEditing] = useState<Group | "new" | null>(null);
  const defs = useDefinitions(showRetired);
  const targets = useTargets();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["indicator-definitions"] });
    void queryClient.invalidateQueries({ queryKey: ["indicator-targets"] });
    void queryClient.invalidateQueries({ queryKey: ["cockpit"] });
  };
  const setActive = useMutation({
    mutationFn: ({ code, active }: { code: string; active: boolean }) =>
      active
        ? call(api.PATCH("/api/indicators/{code}", { params: { path: { code } }, body: { active } }))
        : call(api.DELETE("/api/indicators/{code}", { params: { path: { code } } })),
    onSuccess: (i) => {
      message.success(i.active ? `已重新启用“${i.name}”` : `已停用“${i.name}”`);
      refresh();
    },
    onError: (e) => message.error(errorText(e)),
  });
  const removeGroup = useMutation({
    mutationFn: (g: Group) =>
      call(api.DELETE("/api/indicator-groups/{code}", { params: { path: { code: g.code } } })).then(() => g),
    onSuccess: (g) => {
      message.success(`已删除重点工作“${g.name}”`);
      refresh();
    },
    onError: (e) => message.error(errorText(e)),
  });

  const rows = useMemo<Row[]>(() => {
    if (!defs.data) return [];
    const byIndicator = new Map<string, Target[]>();
    for (const t of targets.data ?? [])
      byIndicator.set(t.indicatorCode, [...(byIndicator.get(t.indicatorCode) ?? []), t]);
    const groups: (Group | null)[] = [...defs.data.groups].sort((a, b) => a.ordinal - b.ordinal);
    const known = new Set(defs.data.groups.map((g) => g.code));
    if (defs.data.indicators.some((i) => !i.groupCode || !known.has(i.groupCode))) groups.push(null);
    return groups.map((g) => ({
      key: `group:${g?.code ?? ""}`,
      kind: "group" as const,
      group: g,
      children: defs.data.indicators
        .filter((i) => (g ? i.groupCode === g.code : !i.groupCode || !known.has(i.groupCode)))
        .sort((a, b) => a.ordinal - b.ordinal || a.code.localeCompare(b.code))
        .map((i) => ({
          key: i.code,
          kind: "indicator" as const,
          indicator: i,
          targets: byIndicator.get(i.code) ?? [],
        })),
    }));
  }, [defs.data, targets.data]);

  /** 编辑 and 删除 of a key task; deleting needs it empty (its indicators would lose their card). */
  const groupActions = (group: Group, indicators: number) => (
    <Space size={8}>
      <Typography.Link onClick={() => setGroupEditing(group)} data-testid={`group-edit-${group.code}`}>
        编辑
      </Typography.Link>
      {indicators > 0 ? (
        <Tooltip title="该重点工作下还有指标：先把指标移到其他分组或停用后再删除">
          <Typography.Text type="secondary">删除</Typography.Text>
        </Tooltip>
      ) : (
        <Popconfirm
          title={`删除重点工作“${group.name}”？`}
          okText="删除"
          okButtonProps={{ danger: true }}
          cancelText="取消"
          onConfirm={() => removeGroup.mutateAsync(group)}
        >
          <Typography.Link type="danger">删除</Typography.Link>
        </Popconfirm>
      )}
    </Space>
  );

  if (defs.isError) return <LoadError error={defs.error} onRetry={() => void defs.refetch()} />;
  const count = defs.data?.indicators.length ?? 0;

  return (
    <>
      <Card
        title="指标管理"
        extra={
          <Space>
            <Space size={4}>
              <Switch size="small" checked={showRetired} onChange={setShowRetired} />
              <span>显示已停用</span>
            </Space>
            <Button icon={<PlusOutlined />} onClick={() => setGroupEditing("new")} data-testid="group-new">
              新建重点工作
            </Button>
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setEditing({ indicator: null, tab: "definition" })}
              data-testid="indicator-new"
            >
              新建指标
            </Button>
          </Space>
        }
      >
        <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
          指标 = 分子 ÷ 分母 ×
          倍数，分子、分母是对报表数据、学籍和机构统计的表达式；按重点工作分组显示在驾驶舱上，
          保存后立即生效。共 {count} 个指标。
        </Typography.Paragraph>
        <Table<Row>
          size="small"
          data-testid="indicator-table"
          loading={defs.isPending}
          dataSource={rows}
          pagination={false}
          expandable={{ defaultExpandAllRows: true, expandRowByClick: false }}
          key={rows.length /* expand all once the groups have arrived */}
          locale={{ emptyText: "尚无指标：点击“新建指标”，或载入指标包（如 2022 年工作要点）" }}
          scroll={{ x: 1000 }}
          columns={[
            {
              title: "指标",
              width: 300,
              render: (_, r) =>
                r.kind === "group" ? (
                  <Typography.Text strong>
                    {r.group ? `${String(r.group.ordinal).padStart(2, "0")} ${r.group.name}` : "未分组"}
                    <Typography.Text type="secondary"> （{r.children.length}）</Typography.Text>
                  </Typography.Text>
                ) : (
                  <span data-testid={`indicator-row-${r.indicator.code}`}>
                    <Tooltip title={r.indicator.description}>{r.indicator.name}</Tooltip>
                    {!r.indicator.active && <Tag style={{ marginLeft: 6 }}>已停用</Tag>}
                    <div>
                      <Typography.Text type="secondary" style={mono}>
                        {r.indicator.code}
                      </Typography.Text>
                    </div>
                  </span>
                ),
            },
            {
              title: "公式（分子 ÷ 分母 × 倍数）",
              render: (_, r) =>
                r.kind === "indicator" && (
                  <Typography.Paragraph
                    style={{ ...mono, margin: 0 }}
                    ellipsis={{ rows: 2, tooltip: formulaText(r.indicator) }}
                  >
                    {formulaText(r.indicator)}
                  </Typography.Paragraph>
                ),
            },
            {
              title: "单位",
              width: 60,
              render: (_, r) => (r.kind === "indicator" ? r.indicator.unit || "—" : null),
            },
            {
              title: "目标",
              width: 230,
              render: (_, r) => (r.kind === "indicator" ? <TargetSummary targets={r.targets} /> : null),
            },
            {
              title: "操作",
              width: 170,
              render: (_, r) =>
                r.kind === "group" ? (
                  r.group && groupActions(r.group, r.children.length)
                ) : (
                  <Space size={8}>
                    <Typography.Link
                      onClick={() => setEditing({ indicator: r.indicator, tab: "definition" })}
                    >
                      编辑
                    </Typography.Link>
                    <Typography.Link onClick={() => setEditing({ indicator: r.indicator, tab: "targets" })}>
                      目标
                    </Typography.Link>
                    {r.indicator.active ? (
                      <Popconfirm
                        title={`停用指标“${r.indicator.name}”？`}
                        description="停用后不再出现在驾驶舱，其目标和历史保留，可重新启用。"
                        okText="停用"
                        okButtonProps={{ danger: true }}
                        cancelText="取消"
                        onConfirm={() => setActive.mutateAsync({ code: r.indicator.code, active: false })}
                      >
                        <Typography.Link type="danger">停用</Typography.Link>
                      </Popconfirm>
                    ) : (
                      <Typography.Link
                        onClick={() => setActive.mutate({ code: r.indicator.code, active: true })}
                      >
                        启用
                      </Typography.Link>
                    )}
                  </Space>
                ),
            },
          ]}
        />
        {groupEditing && (
          <GroupEditor
            open
            group={groupEditing === "new" ? null : groupEditing}
            groups={defs.data?.groups ?? []}
            onClose={() => setGroupEditing(null)}
            onSaved={(g, created) => {
              refresh();
              message.success(
                created ? `重点工作“${g.name}”已创建，可在新建指标时选用` : `重点工作“${g.name}”已保存`,
              );
              setGroupEditing(null);
            }}
          />
        )}
        <Drawer
          open={editing !== null}
          onClose={() => setEditing(null)}
          size={1120}
          destroyOnHidden
          title={editing?.indicator ? `指标：${editing.indicator.name}` : "新建指标"}
          styles={{ body: { paddingTop: 8 } }}
        >
          {editing && (
            <Tabs
              activeKey={editing.tab}
              onChange={(tab) => setEditing({ ...editing, tab: tab as "definition" | "targets" })}
              items={[
                {
                  key: "definition",
                  label: "定义",
                  children: (
                    <IndicatorEditor
                      key={editing.indicator?.code ?? "new"}
                      indicator={editing.indicator}
                      groups={defs.data?.groups ?? []}
                      siblings={defs.data?.indicators ?? []}
                      onCancel={() => setEditing(null)}
                      onSaved={(i, created) => {
                        refresh();
                        if (created) {
                          message.success(`指标“${i.name}”已创建，可继续设定目标`);
                          setEditing({ indicator: i, tab: "targets" });
                        } else {
                          message.success(`指标“${i.name}”已保存`);
                          setEditing(null);
                        }
                      }}
                    />
                  ),
                },
                {
                  key: "targets",
                  label: "目标",
                  disabled: !editing.indicator,
                  children: editing.indicator && <TargetsPanel indicator={editing.indicator} />,
                },
              ]}
            />
          )}
        </Drawer>
      </Card>
      <CensusPanel />
    </>
  );
}

/** The latest period's targets: the one at the user's own level (the city) first, then how many more. */
function TargetSummary({ targets }: { targets: Target[] }) {
  const { user } = useSession();
  if (!targets.length) return <Typography.Text type="secondary">未设目标</Typography.Text>;
  const latest = targets
    .map((t) => t.periodCode)
    .sort()
    .at(-1);
  const now = targets.filter((t) => t.periodCode === latest);
  const own = new Set(user?.scope.map((s) => s.code));
  const top = now.find((t) => own.has(t.orgUnitCode)) ?? now[0];
  return (
    <Tooltip
      title={now
        .slice(0, 16)
        .map((t) => `${t.orgUnitName} ${t.label}`)
        .join("；")}
    >
      <span data-testid="target-summary">
        {top.orgUnitName} {latest} {top.label}
        {targets.length > 1 && <Typography.Text type="secondary"> 等 {targets.length} 项</Typography.Text>}
      </span>
    </Tooltip>
  );
}
