import {
  educationLevels,
  genderLabels,
  keyLevelLabels,
  staffPosts,
  staffStatusLabels,
  subjects,
  teacherTitles,
} from "../registry/codes.js";
import { choice, date, duplicateFinder, identity, personNumber, rowErrors, school, text } from "./fields.js";
import { type ErrorFn, type ImportKindDef, pgArray, type RowView } from "./kind.js";
import { isDamagedNumber, NUMBER_DAMAGE_HINT, splitList } from "./values.js";

/** Values of a list cell (岗位, 任教学科), each from the code list. */
function listOf(r: RowView, fail: ErrorFn, key: string, label: string, allowed: readonly string[]) {
  const v = r.get(key);
  const values = [...new Set(splitList(v))];
  const unknown = values.filter((x) => !allowed.includes(x));
  if (unknown.length) {
    fail(key, v, `未知的${label}：${unknown.join("、")}（可选：${allowed.join("、")}；多个用顿号“、”分隔）`);
    return undefined;
  }
  return values;
}

/** One of a fixed list of names (学历, 职称); '' → null. */
function oneOf(r: RowView, fail: ErrorFn, key: string, label: string, allowed: readonly string[]) {
  const v = r.get(key);
  if (v === "") return null;
  if (!allowed.includes(v)) {
    fail(key, v, `未知的${label}（可选：${allowed.join("、")}）`);
    return undefined;
  }
  return v;
}

/** 教职工: upserted by 工号. */
export const staffKind: ImportKindDef = {
  kind: "staff",
  label: "教职工",
  permission: "people.write",
  entity: "staff",
  needs: { schools: true },
  ignored: ["学校名称"],
  columns: [
    {
      key: "staffNumber",
      header: "工号",
      aliases: ["教职工号", "职工号", "教师编号", "教职工编号"],
      required: true,
      note: "全市唯一的教职工编号，大写字母或数字；同一文件内不能重复",
      sample: "T1411020001001",
      text: true,
      width: 18,
    },
    {
      key: "name",
      header: "姓名",
      aliases: ["教职工姓名", "教师姓名"],
      required: true,
      note: "最多50个字",
      sample: "李老师",
    },
    {
      key: "gender",
      header: "性别",
      required: false,
      note: "填写身份证号时可不填，填写时须与身份证号一致",
      allowed: Object.values(genderLabels),
      sample: "女",
    },
    {
      key: "residentId",
      header: "身份证号",
      aliases: ["身份证号码", "公民身份号码", "身份证件号", "证件号码", "身份证件号码"],
      required: false,
      note: "18位，末位可为X；请将该列设为“文本”格式",
      sample: "141102198507120026",
      text: true,
      width: 22,
    },
    {
      key: "birthDate",
      header: "出生日期",
      aliases: ["出生年月日", "出生年月"],
      required: false,
      note: "可不填；填写时须与身份证号一致",
      sample: "1985-07-12",
      width: 14,
    },
    {
      key: "schoolCode",
      header: "学校标识码",
      aliases: ["学校代码", "所在学校标识码", "学校识别码"],
      required: true,
      note: "10位学校标识码，须为您管理范围内的学校",
      sample: "1411020001",
      text: true,
      width: 14,
    },
    {
      key: "posts",
      header: "岗位",
      aliases: ["职务", "岗位职务", "任职岗位"],
      required: false,
      note: "可填多个，用顿号“、”分隔",
      allowed: staffPosts,
      sample: "教师、班主任",
    },
    {
      key: "subjects",
      header: "任教学科",
      aliases: ["学科", "任教科目"],
      required: false,
      note: "可填多个，用顿号“、”分隔",
      allowed: subjects,
      sample: "数学",
    },
    {
      key: "education",
      header: "学历",
      aliases: ["最高学历"],
      required: false,
      note: "",
      allowed: educationLevels,
      sample: "本科",
    },
    {
      key: "title",
      header: "职称",
      aliases: ["专业技术职务", "专业技术职称"],
      required: false,
      note: "中小学教师职称（人社部发〔2015〕79号）",
      allowed: teacherTitles,
      sample: "一级教师",
    },
    {
      key: "keyLevel",
      header: "骨干级别",
      aliases: ["骨干教师级别", "骨干教师"],
      required: false,
      note: "不是骨干教师时留空",
      allowed: Object.values(keyLevelLabels),
      sample: "县级",
    },
    {
      key: "teachingCertificate",
      header: "教师资格证号",
      aliases: ["教师资格证", "教师资格证书号码", "教师资格证号码"],
      required: false,
      note: "请将该列设为“文本”格式（17位号码会被Excel改坏）",
      sample: "20101420012000123",
      text: true,
      width: 22,
    },
    {
      key: "schoolStartDate",
      header: "到校日期",
      aliases: ["来校时间", "到校时间", "调入本校日期", "到本校工作日期"],
      required: false,
      note: "开始在本校工作的日期",
      sample: "2015-08-28",
      width: 14,
    },
    {
      key: "status",
      header: "状态",
      aliases: ["在职状态", "人员状态"],
      required: false,
      note: "不填为“在职”",
      allowed: Object.values(staffStatusLabels),
      sample: "在职",
    },
  ],
  stage: [
    ["staff_number", "text"],
    ["name", "text"],
    ["gender", "text"],
    ["resident_id", "text"],
    ["birth_date", "date"],
    ["school_id", "bigint"],
    ["school_code", "text"],
    ["org_path", 'text collate "C"'],
    ["county_code", "text"],
    ["posts", "text[]"],
    ["subjects", "text[]"],
    ["education", "text"],
    ["title", "text"],
    ["key_level", "text"],
    ["teaching_certificate", "text"],
    ["school_start_date", "date"],
    ["status", "text"],
  ],
  validator(l) {
    const numbers = duplicateFinder("工号");
    const ids = duplicateFinder("身份证号");
    const state = rowErrors();
    return (r, err) => {
      const fail = state.start(err);
      const staffNumber = personNumber(r, fail, "staffNumber", "工号");
      const name = text(r, fail, "name", { required: true, max: 50 });
      const who = identity(r, fail, l.today, false);
      const s = school(r, fail, l);
      const posts = listOf(r, fail, "posts", "岗位", staffPosts);
      const subjectList = listOf(r, fail, "subjects", "任教学科", subjects);
      const education = oneOf(r, fail, "education", "学历", educationLevels);
      const title = oneOf(r, fail, "title", "职称", teacherTitles);
      const keyLevel = choice(r, fail, "keyLevel", keyLevelLabels);
      let certificate = r.get("teachingCertificate");
      if (certificate && isDamagedNumber(certificate, r.type("teachingCertificate"))) {
        fail("teachingCertificate", certificate, `教师资格证号${NUMBER_DAMAGE_HINT}`);
      } else certificate = text(r, fail, "teachingCertificate", { max: 30 }) ?? "";
      const startDate = date(r, fail, "schoolStartDate", { notAfter: l.today });
      const status = choice(r, fail, "status", staffStatusLabels);
      if (staffNumber) numbers(r, fail, "staffNumber", staffNumber);
      if (who?.residentId) ids(r, fail, "residentId", who.residentId);
      if (state.failed || !staffNumber || !name || !who || !s || !posts || !subjectList) return null;
      return [
        staffNumber,
        name,
        who.gender,
        who.residentId,
        who.birthDate,
        String(s.id),
        s.code,
        s.path,
        s.countyCode,
        pgArray(posts),
        pgArray(subjectList),
        education ?? null,
        title ?? null,
        keyLevel ?? null,
        certificate || null,
        startDate ?? null,
        status ?? "active",
      ];
    };
  },
};
