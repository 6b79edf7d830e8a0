import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Form, Input, Select, Space } from "antd";
import { useState } from "react";
import { api, call } from "../../api/client";
import { genderLabels, gradeLabels, optionsOf } from "../../components/codes";
import { dateRule, showServerIssues } from "../../components/server-issues";
import { useI18n } from "../../i18n/i18n";

interface Values {
  name: string;
  gender: "M" | "F";
  birthDate: string;
  grade: string;
  enrolledOn?: string;
  residentId?: string;
}

const fields = ["name", "gender", "birthDate", "grade", "enrolledOn", "residentId"];

/**
 * Edits a student's record. Field checks happen on the server (ID check digit, dates, grade); its
 * Chinese messages are put on the fields they name. The ID number is only sent when typed anew.
 */
export function StudentEditForm({ student, onDone }: { student: Record<string, unknown>; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const number = String(student.studentNumber);
  const save = useMutation({
    mutationFn: (v: Values) =>
      call(
        api.PATCH("/api/students/{studentNumber}", {
          params: { path: { studentNumber: number } },
          body: {
            name: v.name,
            gender: v.gender,
            birthDate: v.birthDate,
            grade: Number(v.grade),
            enrolledOn: v.enrolledOn || null,
            ...(v.residentId ? { residentId: v.residentId } : {}),
          },
        }),
      ),
    onSuccess: () => {
      message.success(t("edit.saved"));
      void queryClient.invalidateQueries({ queryKey: ["students"] });
      onDone();
    },
    // When each of the server's messages sits on its field, a plain Chinese line above the form is enough.
    onError: (e) => setError(showServerIssues(form, e, fields, t("edit.fixFields"))),
  });

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      requiredMark={false}
      data-testid="student-edit-form"
      initialValues={{
        name: student.name as string,
        gender: student.gender as "M" | "F",
        birthDate: student.birthDate as string,
        grade: String(student.grade),
        enrolledOn: (student.enrolledOn as string | null) ?? undefined,
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
      <Form.Item name="gender" label={t("people.gender")}>
        <Select options={optionsOf(genderLabels)} />
      </Form.Item>
      <Form.Item name="residentId" label={t("people.residentId")} extra={t("edit.residentIdHint")}>
        <Input placeholder={String(student.residentId ?? "")} autoComplete="off" />
      </Form.Item>
      <Form.Item
        name="birthDate"
        label={t("people.birthDate")}
        rules={[{ required: true, message: t("edit.dateRequired") }, dateRule]}
      >
        <Input placeholder="YYYY-MM-DD" />
      </Form.Item>
      <Form.Item name="grade" label={t("school.grade")}>
        <Select
          options={Object.entries(gradeLabels)
            .sort((a, b) => Number(a[0]) - Number(b[0]))
            .map(([value, label]) => ({ value, label }))}
        />
      </Form.Item>
      <Form.Item name="enrolledOn" label={t("people.enrolledOn")} rules={[dateRule]}>
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
