import { useQuery } from "@tanstack/react-query";
import { Button, Descriptions, Drawer, Tag, Timeline } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { api, call } from "../../api/client";
import { useSession } from "../../auth/session";
import { LoadError, PageLoading } from "../../components/page-state";
import { useI18n } from "../../i18n/i18n";
import { StaffEditForm } from "./staff-edit-form";
import { StudentEditForm } from "./student-edit-form";

/** The full record of a student or staff member (the server audits each such read). */
export function PersonDrawer({
  kind,
  number,
  onClose,
}: {
  kind: "students" | "staff";
  number: string | null;
  onClose(): void;
}) {
  const { t } = useI18n();
  const { can } = useSession();
  const [editing, setEditing] = useState(false);
  const students = kind === "students";
  const detail = useQuery({
    queryKey: [kind, "detail", number],
    enabled: number !== null,
    queryFn: async (): Promise<Record<string, unknown>> =>
      students
        ? call(api.GET("/api/students/{studentNumber}", { params: { path: { studentNumber: number! } } }))
        : call(api.GET("/api/staff/{staffNumber}", { params: { path: { staffNumber: number! } } })),
  });
  const history = useQuery({
    queryKey: [kind, "history", number],
    enabled: number !== null && students,
    queryFn: () =>
      call(
        api.GET("/api/students/{studentNumber}/history", { params: { path: { studentNumber: number! } } }),
      ),
  });
  const d = detail.data;
  const done = () => {
    setEditing(false);
    void detail.refetch();
  };
  const text = (k: string) => (d?.[k] === null || d?.[k] === undefined ? "—" : String(d[k]));

  return (
    <Drawer
      open={number !== null}
      onClose={() => {
        setEditing(false);
        onClose();
      }}
      extra={
        can("people.write") &&
        detail.data &&
        !editing && (
          <Button type="primary" onClick={() => setEditing(true)} data-testid="person-edit">
            {t("edit.edit")}
          </Button>
        )
      }
      size={560}
      title={d ? `${text("name")} · ${number}` : number}
      data-testid="person-drawer"
    >
      {detail.isPending ? (
        <PageLoading />
      ) : detail.isError ? (
        <LoadError error={detail.error} />
      ) : editing && d ? (
        students ? (
          <StudentEditForm student={d} onDone={done} />
        ) : (
          <StaffEditForm staff={d} onDone={done} />
        )
      ) : (
        <>
          <Descriptions size="small" bordered column={1}>
            <Descriptions.Item label={t("people.name")}>{text("name")}</Descriptions.Item>
            <Descriptions.Item label={t("people.gender")}>{text("genderLabel")}</Descriptions.Item>
            <Descriptions.Item label={t("people.residentId")}>
              <span style={{ fontFamily: "monospace" }}>{text("residentId")}</span>{" "}
              {d?.residentIdMasked === true && <Tag>{t("people.masked")}</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label={t("people.birthDate")}>{text("birthDate")}</Descriptions.Item>
            <Descriptions.Item label={t("people.school")}>
              <Link to={`/schools/${text("schoolCode")}`}>{text("schoolName")}</Link>
            </Descriptions.Item>
            {students ? (
              <>
                <Descriptions.Item label={t("school.grade")}>{text("gradeLabel")}</Descriptions.Item>
                <Descriptions.Item label={t("school.className")}>{text("classGroupName")}</Descriptions.Item>
                <Descriptions.Item label={t("people.enrolledOn")}>{text("enrolledOn")}</Descriptions.Item>
              </>
            ) : (
              <>
                <Descriptions.Item label={t("people.posts")}>
                  {((d?.posts as string[]) ?? []).map((p) => (
                    <Tag key={p}>{p}</Tag>
                  ))}
                </Descriptions.Item>
                <Descriptions.Item label={t("people.subjects")}>
                  {((d?.subjects as string[]) ?? []).join("、") || "—"}
                </Descriptions.Item>
                <Descriptions.Item label={t("people.education")}>{text("education")}</Descriptions.Item>
                <Descriptions.Item label={t("people.title")}>{text("title")}</Descriptions.Item>
                <Descriptions.Item label={t("people.keyLevel")}>{text("keyLevelLabel")}</Descriptions.Item>
                <Descriptions.Item label={t("people.certificate")}>
                  {text("teachingCertificate")}
                </Descriptions.Item>
              </>
            )}
            <Descriptions.Item label={t("people.status")}>{text("statusLabel")}</Descriptions.Item>
          </Descriptions>
          {students && history.data && (
            <Timeline
              style={{ marginTop: 24 }}
              items={history.data.items.map((h) => ({
                content: `${h.effectiveOn} ${h.statusLabel} · ${h.schoolName}${h.note ? `（${h.note}）` : ""}`,
              }))}
            />
          )}
        </>
      )}
    </Drawer>
  );
}
