import { Alert, Empty, Input, List, Skeleton, Tabs, Tag, Typography } from "antd";
import { type ReactNode, useState } from "react";
import { type Catalogue, errorText, sourceLabels, useCatalogue } from "./common";

const typeLabels: Record<string, string> = {
  number: "数值",
  string: "文字",
  boolean: "是/否",
  list: "列表",
  integer: "整数",
  percentage: "百分比",
  text: "文本",
  choice: "选项",
};

/** Worked examples of the usual shapes: a share, a school coverage, a county coverage, a count. */
const examples = [
  {
    title: "占比（学生数之比）",
    numerator: 'students(stage = "preschool" and ownership = "public")',
    denominator: 'students(stage = "preschool")',
  },
  {
    title: "学校覆盖率（报表数据项）",
    numerator: 'schools(type != "111" and value("rule_of_law_vp") = 1)',
    denominator: 'schools(type != "111")',
  },
  {
    title: "县域覆盖率",
    numerator: 'counties(value("ideology_studio") = 1)',
    denominator: "counties()",
  },
  { title: "计数（无分母）", numerator: 'opened(type = "111")', denominator: "" },
];

function Row({
  onInsert,
  insert,
  text,
  label,
  extra,
}: {
  onInsert(text: string): void;
  insert: string;
  text: string;
  label: ReactNode;
  extra?: ReactNode;
}) {
  return (
    <List.Item style={{ padding: "4px 0", display: "block" }}>
      <Typography.Link code onClick={() => onInsert(insert)} title={`插入 ${insert}`}>
        {text}
      </Typography.Link>{" "}
      {extra}
      <div style={{ color: "rgba(0,0,0,0.55)", fontSize: 12 }}>{label}</div>
    </List.Item>
  );
}

const aliases = (a: string[]) =>
  a.length ? <span style={{ color: "rgba(0,0,0,0.45)", fontSize: 12 }}>（{a.join("、")}）</span> : null;

/**
 * 可用名称: what an expression may name, beside the editor. A click inserts the name at the caret of
 * the expression field last used; an example fills both sides.
 */
export function CataloguePanel({
  onInsert,
  onExample,
}: {
  onInsert(text: string): void;
  onExample(numerator: string, denominator: string): void;
}) {
  const catalogue = useCatalogue();
  const [q, setQ] = useState("");
  if (catalogue.isPending) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (catalogue.isError)
    return <Alert type="error" showIcon title={`可用名称载入失败：${errorText(catalogue.error)}`} />;
  const c: Catalogue = catalogue.data;
  const elements = (c.elements ?? []).filter((e) => !q || e.code.includes(q) || e.name.includes(q));
  const scroll = { maxHeight: "calc(100vh - 290px)", overflowY: "auto" as const, paddingRight: 4 };
  return (
    <div data-testid="catalogue">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        点击名称插入到光标处；条件写在统计函数的括号里，用 and、or、not、in 连接，文字加引号。
      </Typography.Text>
      <Tabs
        size="small"
        items={[
          {
            key: "aggregates",
            label: "统计函数",
            children: (
              <List
                style={scroll}
                dataSource={c.aggregates}
                renderItem={(a) => (
                  <Row
                    onInsert={onInsert}
                    insert={`${a.name}()`}
                    text={`${a.name}(条件)`}
                    extra={
                      <>
                        {aliases(a.aliases)} <Tag>{sourceLabels[a.source] ?? a.source}</Tag>
                      </>
                    }
                    label={
                      <>
                        {a.label}
                        {a.attributes.length > 0 && (
                          <div>
                            条件可用：
                            {a.attributes.map((x) => (
                              <Typography.Link
                                key={x.name}
                                code
                                onClick={() => onInsert(x.name)}
                                title={x.label}
                                style={{ fontSize: 12 }}
                              >
                                {x.name}
                              </Typography.Link>
                            ))}
                          </div>
                        )}
                      </>
                    }
                  />
                )}
              />
            ),
          },
          {
            key: "attributes",
            label: "机构属性",
            children: (
              <List
                style={scroll}
                dataSource={c.unitAttributes}
                renderItem={(a) => (
                  <Row
                    onInsert={onInsert}
                    insert={a.name}
                    text={a.name}
                    extra={
                      <>
                        {aliases(a.aliases)} <Tag>{typeLabels[a.type] ?? a.type}</Tag>
                      </>
                    }
                    label={a.label}
                  />
                )}
              />
            ),
          },
          {
            key: "elements",
            label: "数据项",
            children:
              c.elements === null ? (
                <Empty description="未接入报表模块，value(…) 不作检查" />
              ) : (
                <>
                  <Input.Search
                    size="small"
                    allowClear
                    placeholder="数据项代码或名称"
                    onChange={(e) => setQ(e.target.value.trim())}
                    style={{ marginBottom: 4 }}
                  />
                  <List
                    style={scroll}
                    dataSource={elements}
                    locale={{ emptyText: "没有匹配的数据项" }}
                    renderItem={(e) => (
                      <Row
                        onInsert={onInsert}
                        insert={`value("${e.code}")`}
                        text={`value("${e.code}")`}
                        extra={<Tag>{typeLabels[e.valueType] ?? e.valueType}</Tag>}
                        label={e.name}
                      />
                    )}
                  />
                </>
              ),
          },
          {
            key: "functions",
            label: "函数与示例",
            children: (
              <div style={scroll}>
                <List
                  dataSource={c.functions}
                  renderItem={(f) => (
                    <Row
                      onInsert={onInsert}
                      insert={`${f.name}()`}
                      text={`${f.name}(…)`}
                      extra={aliases(f.aliases)}
                      label={f.label}
                    />
                  )}
                />
                <Typography.Title level={5} style={{ marginTop: 8 }}>
                  示例（点击填入分子和分母）
                </Typography.Title>
                <List
                  dataSource={examples}
                  renderItem={(x) => (
                    <List.Item style={{ padding: "4px 0", display: "block" }}>
                      <Typography.Link onClick={() => onExample(x.numerator, x.denominator)}>
                        {x.title}
                      </Typography.Link>
                      <div style={{ fontSize: 12 }}>
                        <Typography.Text code>{x.numerator}</Typography.Text>
                        {x.denominator && (
                          <>
                            {" ÷ "}
                            <Typography.Text code>{x.denominator}</Typography.Text>
                          </>
                        )}
                      </div>
                    </List.Item>
                  )}
                />
              </div>
            ),
          },
        ]}
      />
    </div>
  );
}
