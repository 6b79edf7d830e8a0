import { useMutation } from "@tanstack/react-query";
import { Alert, Form, Input, InputNumber, Modal } from "antd";
import { useState } from "react";
import { api, call } from "../../api/client";
import { errorText, type Group } from "./common";

interface GroupValues {
  code: string;
  name: string;
  ordinal: number;
  description?: string;
  source?: string;
}

const blankToNull = (s: string | undefined) => (s?.trim() ? s.trim() : null);

/**
 * 新建 / 编辑重点工作 (a key task: one card of the cockpit, holding its indicators). The code is
 * fixed once made (indicators and plan packages name the group by it); name, order, description
 * and source can change, and the cockpit shows the change at once.
 */
export function GroupEditor({
  group,
  groups,
  open,
  onClose,
  onSaved,
}: {
  /** The group to edit; null for a new one. Mount the editor anew for each (its form starts from this). */
  group: Group | null;
  groups: Group[];
  open: boolean;
  onClose: () => void;
  onSaved: (g: Group, created: boolean) => void;
}) {
  const [form] = Form.useForm<GroupValues>();
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (v: GroupValues) => {
      const body = {
        name: v.name.trim(),
        ordinal: v.ordinal,
        description: blankToNull(v.description),
        source: blankToNull(v.source),
      };
      return group
        ? call(api.PATCH("/api/indicator-groups/{code}", { params: { path: { code: group.code } }, body }))
        : call(api.POST("/api/indicator-groups", { body: { ...body, code: v.code.trim() } }));
    },
    onSuccess: (g) => {
      setError(null);
      onSaved(g, !group);
    },
    onError: (e) => setError(errorText(e)),
  });
  const nextOrdinal = Math.max(0, ...groups.map((g) => g.ordinal)) + 1;

  return (
    <Modal
      open={open}
      title={group ? `编辑重点工作：${group.name}` : "新建重点工作"}
      okText="保存"
      cancelText="取消"
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form<GroupValues>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={
          group
            ? {
                code: group.code,
                name: group.name,
                ordinal: group.ordinal,
                description: group.description ?? "",
                source: group.source ?? "",
              }
            : { ordinal: nextOrdinal }
        }
        onFinish={(v) => save.mutate(v)}
        data-testid="group-editor"
      >
        <Form.Item
          name="code"
          label="代码"
          extra={
            group
              ? "代码不可修改（指标和指标包按代码引用分组）"
              : "字母开头，可含字母、数字、下划线、点和连字符，如 T11"
          }
          rules={[
            { required: true, message: "请填写代码" },
            {
              pattern: /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
              message: "代码只能含字母、数字、下划线、点和连字符，且以字母开头",
            },
            {
              validator: (_, v: string | undefined) =>
                !group && v && groups.some((g) => g.code === v.trim())
                  ? Promise.reject(new Error(`代码“${v.trim()}”已被其他分组使用`))
                  : Promise.resolve(),
            },
          ]}
        >
          <Input disabled={!!group} maxLength={64} />
        </Form.Item>
        <Form.Item
          name="name"
          label="名称"
          rules={[{ required: true, whitespace: true, message: "请填写名称" }]}
        >
          <Input maxLength={100} placeholder="如 学前教育普及普惠" />
        </Form.Item>
        <Form.Item name="ordinal" label="序号" extra="驾驶舱按序号从小到大排列各项重点工作">
          <InputNumber min={0} max={999} precision={0} style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="description" label="说明">
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
        <Form.Item name="source" label="出处" extra="如 工作要点的章节">
          <Input maxLength={500} placeholder="如 2022年工作要点 一、" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} data-testid="group-error" />}
      </Form>
    </Modal>
  );
}
