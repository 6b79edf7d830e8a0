import { useQuery } from "@tanstack/react-query";
import { Card, Empty, Select, Space, Typography } from "antd";
import { useState } from "react";
import { api, call } from "../../api/client";
import { LoadError, PageLoading } from "../../components/page-state";
import { useUrlFilters } from "../../components/url-state";
import { FormRoundPicker, offeredForms, StatusTag, useFormList, useSetRound } from "./common";
import { EntryForm } from "./entry-form";

const keys = ["form", "period", "org"] as const;

/**
 * 数据填报: a school fills its own return; a county (or the city) picks one of the units in its
 * area. The form, period and unit live in the URL, so the review list can link here. Without them
 * the page opens on a form the user's own unit reports (`formRank`), on the user's own unit; forms
 * nobody in the user's area reports are not offered.
 */
export default function EntryPage() {
  const { filters, setFilter } = useUrlFilters(keys);
  const { form, period } = filters;
  const [q, setQ] = useState("");
  const onRound = useSetRound();
  const forms = useFormList();
  const summary = forms.data?.find((f) => f.code === form);
  const detail = useQuery({
    queryKey: ["forms", "detail", form],
    queryFn: () => call(api.GET("/api/forms/{code}", { params: { path: { code: form! } } })),
    enabled: !!form,
  });
  const units = useQuery({
    queryKey: ["forms", "units", form, period, q],
    queryFn: () =>
      call(
        api.GET("/api/forms/{code}/periods/{period}/submissions", {
          params: { path: { code: form!, period: period! }, query: { q: q || undefined, pageSize: 50 } },
        }),
      ),
    enabled: !!form && !!period,
  });
  const only = units.data && !q && units.data.total === 1 ? units.data.items[0] : undefined;
  // the user's own unit when it is the one unit of theirs that reports this form
  const own = summary?.reporting.own.length === 1 ? summary.reporting.own[0].code : undefined;
  const org = filters.org ?? only?.orgCode ?? own;
  const nothing = forms.data && offeredForms(forms.data, "entry").offered.length === 0;

  if (forms.error) return <LoadError error={forms.error} onRetry={() => forms.refetch()} />;
  if (nothing)
    return (
      <Card title="数据填报">
        <Empty description="本单位及所辖单位没有需要填报的报表" />
      </Card>
    );
  return (
    <Space orientation="vertical" style={{ width: "100%" }} size="middle">
      <Card title="数据填报">
        <Space wrap>
          <FormRoundPicker form={form} period={period} onChange={onRound} mode="entry" />
          {!only && (
            <Select
              showSearch
              allowClear
              aria-label="填报单位"
              placeholder="选择填报单位（输入名称或代码）"
              style={{ width: 360 }}
              filterOption={false}
              onSearch={setQ}
              value={org}
              loading={units.isLoading}
              onChange={(v) => setFilter("org", v)}
              options={(units.data?.items ?? []).map((u) => ({
                value: u.orgCode,
                label: (
                  <Space>
                    {u.orgName}
                    <Typography.Text type="secondary">{u.orgCode}</Typography.Text>
                    <StatusTag status={u.status} />
                  </Space>
                ),
              }))}
            />
          )}
        </Space>
      </Card>
      {detail.error ? (
        <LoadError error={detail.error} />
      ) : !detail.data || !period ? (
        <PageLoading />
      ) : org ? (
        // a fresh form per return: the form's store would otherwise carry one unit's values to the next
        <EntryForm
          key={`${detail.data.code}/${period}/${org}`}
          form={detail.data}
          period={period}
          org={org}
        />
      ) : (
        <Card>
          <Empty description="请选择填报单位" />
        </Card>
      )}
    </Space>
  );
}
