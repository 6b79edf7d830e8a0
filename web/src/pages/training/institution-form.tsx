import { DatePicker, Form, Input, Modal, Select, Switch } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect } from "react";
import type { ApiData } from "../../api/client";

type Institution = ApiData<"/api/training/institutions", "get">["items"][number];

export interface InstitutionValues {
  name: string;
  creditCode?: string | null;
  category: "academic" | "non_academic";
  subjects: string[];
  licenceNo?: string | null;
  licenceValidTo?: string | null;
  online: boolean;
  address?: string | null;
  countyCode: string;
  prepayBank?: string | null;
  prepayAccount?: string | null;
  status: "operating" | "suspended" | "closed";
}

type FormValues = Omit<InstitutionValues, "licenceValidTo"> & { licenceValidTo?: Dayjs | null };

/** Registering or editing an institution (the county is fixed once registered). */
export function InstitutionForm({
  open,
  title,
  counties,
  initial,
  busy,
  onCancel,
  onSubmit,
}: {
  open: boolean;
  title: string;
  counties: { value: string; label: string }[];
  initial?: Institution;
  busy: boolean;
  onCancel: () => void;
  onSubmit: (v: InstitutionValues) => void;
}) {
  const [form] = Form.useForm<FormValues>();
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (initial)
      form.setFieldsValue({
        ...initial,
        licenceValidTo: initial.licenceValidTo ? dayjs(initial.licenceValidTo) : null,
      });
  }, [open, initial, form]);
  return (
    <Modal
      open={open}
      title={title}
      width={720}
      okText="保存"
      confirmLoading={busy}
      onCancel={onCancel}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={{ category: "non_academic", subjects: [], online: false, status: "operating" }}
        onFinish={(v) =>
          onSubmit({
            ...v,
            licenceValidTo: v.licenceValidTo ? v.licenceValidTo.format("YYYY-MM-DD") : null,
            creditCode: v.creditCode || null,
          })
        }
        style={{ display: "grid", gridTemplateColumns: "1fr 1fr", columnGap: 16 }}
      >
        <Form.Item
          name="name"
          label="机构名称"
          rules={[{ required: true, whitespace: true, message: "请填写机构名称" }]}
        >
          <Input maxLength={100} data-testid="inst-name" />
        </Form.Item>
        <Form.Item name="creditCode" label="统一社会信用代码">
          <Input maxLength={18} />
        </Form.Item>
        <Form.Item name="category" label="类别" rules={[{ required: true }]}>
          <Select
            options={[
              { value: "academic", label: "学科类" },
              { value: "non_academic", label: "非学科类" },
            ]}
          />
        </Form.Item>
        <Form.Item name="subjects" label="培训项目">
          <Select mode="tags" placeholder="如 数学、英语、美术" />
        </Form.Item>
        <Form.Item name="licenceNo" label="办学许可证号">
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="licenceValidTo" label="许可证有效期至">
          <DatePicker style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item
          name="countyCode"
          label="县（市、区）"
          rules={[{ required: true, message: "请选择县（市、区）" }]}
        >
          <Select options={counties} disabled={Boolean(initial)} data-testid="inst-county" />
        </Form.Item>
        <Form.Item name="address" label="地址">
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="prepayBank" label="预收费监管银行">
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="prepayAccount" label="预收费监管账户">
          <Input maxLength={40} />
        </Form.Item>
        <Form.Item name="online" label="线上培训" valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="status" label="状态">
          <Select
            options={[
              { value: "operating", label: "正常经营" },
              { value: "suspended", label: "停业整顿" },
              { value: "closed", label: "已注销" },
            ]}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
