import { CopyOutlined, InboxOutlined, SafetyOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Radio,
  Result,
  Select,
  Space,
  Switch,
  Typography,
  Upload,
} from "antd";
import type { UploadFile } from "antd/es/upload/interface";
import { useState } from "react";
import { Link } from "react-router";
import { type ApiCreated, ApiError, api, call, upload } from "../../api/client";
import { PublicLayout } from "./public-layout";

type Receipt = ApiCreated<"/api/public/reports", "post">;
type Uploaded = ApiCreated<"/api/public/attachments", "post">;

interface ReportForm {
  about: "school" | "institution";
  countyCode?: string;
  orgUnitCode?: string;
  institutionId?: number;
  category: string;
  title: string;
  subjectName?: string;
  subjectPost?: string;
  occurredOn?: string;
  description: string;
  anonymous: boolean;
  contactName?: string;
  contactPhone?: string;
  contactEmail?: string;
}

/**
 * 我要举报: the public report form. Anonymous by default; attachments are uploaded one by one (the
 * server strips photo location data); on success the receipt (查询码 + 查询密码) is shown once.
 * Everything typed is sent as text and shown as text: nothing is ever rendered as HTML.
 */
export default function PublicReportPage() {
  const { message } = App.useApp();
  const [form] = Form.useForm<ReportForm>();
  const about = Form.useWatch("about", form) ?? "school";
  const anonymous = Form.useWatch("anonymous", form) ?? true;
  const countyCode = Form.useWatch("countyCode", form);
  const [search, setSearch] = useState("");
  const [files, setFiles] = useState<(UploadFile & { uploadId?: string })[]>([]);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const options = useQuery({
    queryKey: ["public", "options"],
    queryFn: () => call(api.GET("/api/public/report-options")),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const targets = useQuery<{ value: string | number; label: string }[]>({
    queryKey: ["public", about, countyCode, search],
    queryFn: () =>
      about === "school"
        ? call(
            api.GET("/api/public/org-units", { params: { query: { q: search || undefined, countyCode } } }),
          ).then((r) =>
            r.items.map((o) => ({ value: o.code, label: o.kind === "county" ? `${o.name}教育局` : o.name })),
          )
        : call(
            api.GET("/api/public/institutions", {
              params: { query: { q: search || undefined, countyCode } },
            }),
          ).then((r) => r.items.map((o) => ({ value: o.id, label: `${o.name}（${o.countyName ?? ""}）` }))),
    enabled: Boolean(countyCode) || search.length > 0,
  });

  const categories = about === "school" ? options.data?.school : options.data?.institution;

  const submit = async (v: ReportForm) => {
    setBusy(true);
    setError(null);
    try {
      const r = await call(
        api.POST("/api/public/reports", {
          body: {
            about: v.about,
            orgUnitCode: v.about === "school" ? v.orgUnitCode : undefined,
            institutionId: v.about === "institution" ? v.institutionId : undefined,
            category: v.category,
            title: v.title,
            subjectName: v.about === "school" ? v.subjectName : undefined,
            subjectPost: v.about === "school" ? v.subjectPost : undefined,
            occurredOn: v.occurredOn,
            description: v.description,
            anonymous: v.anonymous,
            contactName: v.anonymous ? undefined : v.contactName,
            contactPhone: v.anonymous ? undefined : v.contactPhone || undefined,
            contactEmail: v.anonymous ? undefined : v.contactEmail || undefined,
            attachments: files.flatMap((f) => (f.uploadId ? [f.uploadId] : [])),
          },
        }),
      );
      setReceipt(r);
      window.scrollTo(0, 0);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "UNKNOWN", String(e)));
    } finally {
      setBusy(false);
    }
  };

  if (receipt)
    return (
      <PublicLayout>
        <Card>
          <Result
            status="success"
            title="举报已提交"
            subTitle="请立即抄写或保存下面的查询码和查询密码。查询密码只显示这一次，平台不保存明文，遗失后无法找回。"
          />
          <Descriptions bordered column={1} size="middle" data-testid="receipt">
            <Descriptions.Item label="查询码">
              <Typography.Text
                code
                copyable={{ icon: <CopyOutlined /> }}
                data-testid="receipt-code"
                style={{ fontSize: 18 }}
              >
                {receipt.code}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label="查询密码">
              <Typography.Text
                code
                copyable={{ icon: <CopyOutlined /> }}
                data-testid="receipt-secret"
                style={{ fontSize: 18 }}
              >
                {receipt.secret}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
          <Alert
            style={{ marginTop: 16 }}
            type="info"
            showIcon
            title="凭查询码和查询密码可以查看办理进度、回答工作人员的提问。密码连续输错 5 次，该查询码将锁定 15 分钟。"
          />
          <div style={{ textAlign: "center", marginTop: 24 }}>
            <Link to="/public/follow">
              <Button type="primary" size="large">
                查询办理情况
              </Button>
            </Link>
          </div>
        </Card>
      </PublicLayout>
    );

  return (
    <PublicLayout>
      <Card title="我要举报" extra={<Link to="/public/follow">已有查询码？查询办理情况</Link>}>
        <Alert
          type="info"
          showIcon
          icon={<SafetyOutlined />}
          style={{ marginBottom: 16 }}
          title="您可以匿名举报"
          description="匿名举报不需要登录，平台不记录您的 IP 地址、浏览器或设备信息。上传的照片会去除拍摄位置、设备型号等信息，PDF 文件会去除作者、编辑软件、修改记录等属性以及其中的脚本和附件（加密的 PDF 请先去除密码）；文件内容本身不会改动，页面上写着的姓名等请在上传前自行检查。"
        />
        {error && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title="提交失败"
            description={error.message}
            data-testid="report-error"
          />
        )}
        <Form<ReportForm>
          form={form}
          layout="vertical"
          onFinish={submit}
          disabled={busy}
          initialValues={{ about: "school", anonymous: true }}
        >
          <Form.Item name="about" label="举报对象">
            <Radio.Group
              optionType="button"
              onChange={() =>
                form.setFieldsValue({ orgUnitCode: undefined, institutionId: undefined, category: undefined })
              }
              options={[
                { value: "school", label: "学校或教职工" },
                { value: "institution", label: "校外培训机构" },
              ]}
            />
          </Form.Item>
          <Space.Compact block>
            <Form.Item name="countyCode" label="所在县（市、区）" style={{ width: 220 }}>
              <Select
                allowClear
                placeholder="选择县（市、区）"
                options={(options.data?.counties ?? []).map((c) => ({ value: c.code, label: c.name }))}
                data-testid="report-county"
              />
            </Form.Item>
            <Form.Item
              name={about === "school" ? "orgUnitCode" : "institutionId"}
              label={about === "school" ? "学校或单位" : "培训机构"}
              rules={[
                { required: true, message: about === "school" ? "请选择学校或单位" : "请选择培训机构" },
              ]}
              style={{ flex: 1 }}
            >
              <Select
                showSearch={{ filterOption: false, onSearch: setSearch }}
                placeholder="输入名称查找"
                options={targets.data ?? []}
                loading={targets.isFetching}
                notFoundContent={countyCode || search ? "没有找到" : "请先选择县（市、区）或输入名称"}
                data-testid="report-target"
              />
            </Form.Item>
          </Space.Compact>
          <Form.Item name="category" label="举报类别" rules={[{ required: true, message: "请选择举报类别" }]}>
            <Select
              placeholder="选择类别"
              options={(categories ?? []).map((c) => ({ value: c.code, label: c.label }))}
              data-testid="report-category"
            />
          </Form.Item>
          <Form.Item
            name="title"
            label="举报事项（一句话概括）"
            rules={[{ required: true, whitespace: true, message: "请填写举报事项" }, { max: 100 }]}
          >
            <Input maxLength={100} showCount data-testid="report-title" />
          </Form.Item>
          {about === "school" && (
            <Space.Compact block>
              <Form.Item name="subjectName" label="被举报人姓名（可不填）" style={{ flex: 1 }}>
                <Input maxLength={50} />
              </Form.Item>
              <Form.Item name="subjectPost" label="职务（可不填）" style={{ flex: 1 }}>
                <Input maxLength={50} />
              </Form.Item>
            </Space.Compact>
          )}
          <Form.Item name="occurredOn" label="发生时间（可不填）">
            <Input maxLength={30} placeholder="例如：2026年11月每周六上午" />
          </Form.Item>
          <Form.Item
            name="description"
            label="举报内容"
            rules={[{ required: true, whitespace: true, message: "请填写举报内容" }, { max: 5000 }]}
          >
            <Input.TextArea rows={6} maxLength={5000} showCount data-testid="report-description" />
          </Form.Item>
          <Form.Item
            label={`证据材料（JPEG、PNG 图片或 PDF，每个不超过 ${options.data?.maxAttachmentMb ?? 10} MB，最多 10 个）`}
          >
            <Upload.Dragger
              multiple
              accept=".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"
              fileList={files}
              maxCount={10}
              onRemove={(f) => setFiles((xs) => xs.filter((x) => x.uid !== f.uid))}
              customRequest={async ({ file, onSuccess, onError }) => {
                const f = file as File & { uid: string };
                setFiles((xs) => [...xs, { uid: f.uid, name: f.name, status: "uploading" }]);
                try {
                  const up = await upload<Uploaded>("/api/public/attachments", f);
                  setFiles((xs) =>
                    xs.map((x) =>
                      x.uid === f.uid ? { ...x, status: "done", uploadId: up.id, name: up.name } : x,
                    ),
                  );
                  onSuccess?.(up);
                } catch (e) {
                  const msg = e instanceof ApiError ? e.message : String(e);
                  message.error(`${f.name}：${msg}`);
                  setFiles((xs) =>
                    xs.map((x) => (x.uid === f.uid ? { ...x, status: "error", response: msg } : x)),
                  );
                  onError?.(e as Error);
                }
              }}
              data-testid="report-upload"
            >
              <p className="ant-upload-drag-icon">
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">点击或拖入文件上传</p>
            </Upload.Dragger>
          </Form.Item>
          <Form.Item name="anonymous" label="匿名举报" valuePropName="checked">
            <Switch checkedChildren="匿名" unCheckedChildren="实名" data-testid="report-anonymous" />
          </Form.Item>
          {!anonymous && (
            <Space.Compact block>
              <Form.Item
                name="contactName"
                label="姓名"
                rules={[{ required: true, message: "实名举报请填写姓名" }]}
                style={{ flex: 1 }}
              >
                <Input maxLength={30} />
              </Form.Item>
              <Form.Item name="contactPhone" label="联系电话" style={{ flex: 1 }}>
                <Input maxLength={20} />
              </Form.Item>
              <Form.Item name="contactEmail" label="电子邮箱" style={{ flex: 1 }}>
                <Input maxLength={100} />
              </Form.Item>
            </Space.Compact>
          )}
          <Button
            type="primary"
            htmlType="submit"
            size="large"
            loading={busy}
            disabled={files.some((f) => f.status === "uploading")}
            data-testid="report-submit"
          >
            提交举报
          </Button>
        </Form>
      </Card>
    </PublicLayout>
  );
}
