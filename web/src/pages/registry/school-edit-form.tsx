import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Col, Form, Input, InputNumber, Row, Select, Space } from "antd";
import { useState } from "react";
import { type ApiData, api, call } from "../../api/client";
import { optionsOf, ownershipLabels, schoolTypes, urbanRuralLabels } from "../../components/codes";
import { dateRule, showServerIssues } from "../../components/server-issues";
import { useI18n } from "../../i18n/i18n";

type School = ApiData<"/api/org-units/{code}", "get">;

interface Values {
  effectiveFrom: string;
  note?: string;
  name: string;
  schoolType?: string;
  ownership?: "public" | "private";
  inclusive?: "yes" | "no";
  urbanRural?: "urban" | "town" | "rural";
  boarding?: "yes" | "no";
  address?: string;
  lng?: number | null;
  lat?: number | null;
}

const fields = [
  "effectiveFrom",
  "note",
  "name",
  "schoolType",
  "ownership",
  "inclusive",
  "urbanRural",
  "boarding",
  "address",
  "lng",
  "lat",
] as const;

/** Today in China (UTC+8), YYYY-MM-DD: the default date a change takes effect. */
const todayInChina = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const yesNo = (b: boolean | null) => (b === null ? undefined : b ? "yes" : "no");
const fromYesNo = (v: "yes" | "no" | undefined) => (v === undefined ? undefined : v === "yes");

/**
 * Edits a school (PATCH /api/org-units/{code}). Changes of name, type, ownership, 普惠, 城乡 or
 * boarding start a new version on the effective date, so the history keeps the old values; the
 * server checks every field (and the editor's scope) and audits the change. Only changed fields
 * are sent.
 */
export function SchoolEditForm({ school, onDone }: { school: School; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const initial: Values = {
    effectiveFrom: todayInChina(),
    name: school.name,
    schoolType: school.schoolType ?? undefined,
    ownership: school.ownership ?? undefined,
    inclusive: yesNo(school.inclusive),
    urbanRural: school.urbanRural ?? undefined,
    boarding: yesNo(school.boarding),
    address: school.address ?? undefined,
    lng: school.lng,
    lat: school.lat,
  };
  const save = useMutation({
    mutationFn: (v: Values) => {
      const changed = <K extends keyof Values>(k: K) => v[k] !== initial[k];
      const inclusive = fromYesNo(v.inclusive);
      const boarding = fromYesNo(v.boarding);
      return call(
        api.PATCH("/api/org-units/{code}", {
          params: { path: { code: school.code } },
          body: {
            effectiveFrom: v.effectiveFrom,
            ...(v.note?.trim() ? { note: v.note.trim() } : {}),
            ...(changed("name") ? { name: v.name } : {}),
            ...(changed("schoolType") && v.schoolType ? { schoolType: v.schoolType } : {}),
            ...(changed("ownership") && v.ownership ? { ownership: v.ownership } : {}),
            ...(changed("inclusive") ? { inclusive: inclusive ?? null } : {}),
            ...(changed("urbanRural") && v.urbanRural ? { urbanRural: v.urbanRural } : {}),
            ...(changed("boarding") && boarding !== undefined ? { boarding } : {}),
            ...(changed("address") ? { address: v.address?.trim() || null } : {}),
            // Longitude and latitude go together (the server refuses one without the other).
            ...(changed("lng") || changed("lat") ? { lng: v.lng ?? null, lat: v.lat ?? null } : {}),
          },
        }),
      );
    },
    onSuccess: () => {
      message.success(t("edit.saved"));
      void queryClient.invalidateQueries({ queryKey: ["org-unit", school.code] });
      void queryClient.invalidateQueries({ queryKey: ["org-unit-history", school.code] });
      void queryClient.invalidateQueries({ queryKey: ["org-units"] });
      onDone();
    },
    onError: (e) => setError(showServerIssues(form, e, fields, t("edit.fixFields"))),
  });
  const ownership = Form.useWatch("ownership", form);
  const schoolType = Form.useWatch("schoolType", form);
  const yesNoOptions = [
    { value: "yes", label: "是" },
    { value: "no", label: "否" },
  ];

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      requiredMark={false}
      data-testid="school-edit-form"
      initialValues={initial}
      onFinish={(v) => {
        setError(null);
        save.mutate(v);
      }}
    >
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="edit-error" />
      )}
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item
            name="effectiveFrom"
            label={t("edit.effectiveFrom")}
            rules={[{ required: true, message: t("edit.dateRequired") }, dateRule]}
            extra={t("edit.effectiveFromHint")}
          >
            <Input placeholder="YYYY-MM-DD" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="note" label={t("edit.note")}>
            <Input maxLength={200} placeholder={t("edit.notePlaceholder")} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item
        name="name"
        label={t("school.name")}
        rules={[{ required: true, whitespace: true, message: t("edit.schoolNameRequired") }]}
      >
        <Input maxLength={100} />
      </Form.Item>
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="schoolType" label={t("school.type")}>
            <Select
              showSearch={{ optionFilterProp: "label" }}
              options={schoolTypes.map((s) => ({ value: s.code, label: `${s.label}（${s.code}）` }))}
            />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="ownership" label={t("school.ownership")}>
            <Select options={optionsOf(ownershipLabels)} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={12}>
        <Col span={8}>
          <Form.Item name="urbanRural" label={t("school.urbanRural")}>
            <Select options={optionsOf(urbanRuralLabels)} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="boarding" label={t("school.boarding")}>
            <Select options={yesNoOptions} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="inclusive" label={t("school.inclusive")} extra={t("edit.inclusiveHint")}>
            <Select
              allowClear
              options={yesNoOptions}
              disabled={!(schoolType === "111" && ownership === "private")}
            />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="address" label={t("school.address")}>
        <Input maxLength={200} />
      </Form.Item>
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="lng" label={t("edit.lng")}>
            <InputNumber style={{ width: "100%" }} step={0.0001} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="lat" label={t("edit.lat")}>
            <InputNumber style={{ width: "100%" }} step={0.0001} />
          </Form.Item>
        </Col>
      </Row>
      <Space>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="edit-save">
          {t("edit.save")}
        </Button>
        <Button onClick={onDone}>{t("import.cancel")}</Button>
      </Space>
    </Form>
  );
}
