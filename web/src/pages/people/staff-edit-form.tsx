import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Col, Form, Input, Row, Select, Space } from "antd";
import { useState } from "react";
import { api, call } from "../../api/client";
import {
  educationLevels,
  genderLabels,
  keyLevelLabels,
  optionsOf,
  staffPosts,
  staffStatusLabels,
  subjects,
  teacherTitles,
} from "../../components/codes";
import { dateRule, showServerIssues } from "../../components/server-issues";
import { useI18n } from "../../i18n/i18n";

interface Values {
  name: string;
  gender: "M" | "F";
  residentId?: string;
  birthDate?: string;
  posts: string[];
  subjects: string[];
  education?: string;
  title?: string;
  keyLevel?: "county" | "city" | "province";
  teachingCertificate?: string;
  schoolStartDate?: string;
  status: "active" | "left" | "retired";
}

const fields = [
  "name",
  "gender",
  "residentId",
  "birthDate",
  "posts",
  "subjects",
  "education",
  "title",
  "keyLevel",
  "teachingCertificate",
  "schoolStartDate",
  "status",
] as const;

const list = (xs: readonly string[]) => xs.map((x) => ({ value: x, label: x }));

/**
 * Edits a staff member's record (PATCH /api/staff/{staffNumber}; audited on the server, within the
 * editor's scope). The server checks every field and its Chinese messages land on the fields they
 * name; the ID number is only sent when typed anew.
 */
export function StaffEditForm({ staff, onDone }: { staff: Record<string, unknown>; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const number = String(staff.staffNumber);
  const orNull = (v: string | undefined) => (v?.trim() ? v.trim() : null);
  const save = useMutation({
    mutationFn: (v: Values) =>
      call(
        api.PATCH("/api/staff/{staffNumber}", {
          params: { path: { staffNumber: number } },
          body: {
            name: v.name,
            gender: v.gender,
            birthDate: orNull(v.birthDate),
            posts: v.posts,
            subjects: v.subjects,
            education: orNull(v.education),
            title: orNull(v.title),
            keyLevel: v.keyLevel ?? null,
            teachingCertificate: orNull(v.teachingCertificate),
            schoolStartDate: orNull(v.schoolStartDate),
            status: v.status,
            ...(v.residentId ? { residentId: v.residentId } : {}),
          },
        }),
      ),
    onSuccess: () => {
      message.success(t("edit.saved"));
      void queryClient.invalidateQueries({ queryKey: ["staff"] });
      onDone();
    },
    onError: (e) => setError(showServerIssues(form, e, fields, t("edit.fixFields"))),
  });
  const s = (k: string) => (staff[k] === null || staff[k] === undefined ? undefined : (staff[k] as string));

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      requiredMark={false}
      data-testid="staff-edit-form"
      initialValues={{
        name: s("name"),
        gender: staff.gender as "M" | "F",
        birthDate: s("birthDate"),
        posts: (staff.posts as string[]) ?? [],
        subjects: (staff.subjects as string[]) ?? [],
        education: s("education"),
        title: s("title"),
        keyLevel: s("keyLevel") as Values["keyLevel"],
        teachingCertificate: s("teachingCertificate"),
        schoolStartDate: s("schoolStartDate"),
        status: staff.status as Values["status"],
      }}
      onFinish={(v) => {
        setError(null);
        save.mutate(v);
      }}
    >
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="edit-error" />
      )}
      <Form.Item
        name="name"
        label={t("people.name")}
        rules={[{ required: true, whitespace: true, message: t("edit.nameRequired") }]}
      >
        <Input />
      </Form.Item>
      <Row gutter={12}>
        <Col span={10}>
          <Form.Item name="gender" label={t("people.gender")}>
            <Select options={optionsOf(genderLabels)} />
          </Form.Item>
        </Col>
        <Col span={14}>
          <Form.Item name="birthDate" label={t("people.birthDate")} rules={[dateRule]}>
            <Input placeholder="YYYY-MM-DD" />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="residentId" label={t("people.residentId")} extra={t("edit.residentIdHint")}>
        <Input placeholder={s("residentId") ?? ""} autoComplete="off" />
      </Form.Item>
      <Form.Item name="posts" label={t("people.posts")}>
        <Select mode="multiple" options={list(staffPosts)} data-testid="edit-posts" />
      </Form.Item>
      <Form.Item name="subjects" label={t("people.subjects")}>
        <Select mode="multiple" options={list(subjects)} />
      </Form.Item>
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="education" label={t("people.education")}>
            <Select allowClear options={list(educationLevels)} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="title" label={t("people.title")}>
            <Select allowClear options={list(teacherTitles)} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="keyLevel" label={t("people.keyLevel")}>
            <Select allowClear options={optionsOf(keyLevelLabels)} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="status" label={t("people.status")}>
            <Select options={optionsOf(staffStatusLabels)} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="teachingCertificate" label={t("people.certificate")}>
        <Input />
      </Form.Item>
      <Form.Item name="schoolStartDate" label={t("edit.schoolStartDate")} rules={[dateRule]}>
        <Input placeholder="YYYY-MM-DD" />
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="edit-save">
          {t("edit.save")}
        </Button>
        <Button onClick={onDone}>{t("import.cancel")}</Button>
      </Space>
    </Form>
  );
}
