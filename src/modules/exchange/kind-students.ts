import { enrolmentStatusLabels, genderLabels, gradeLabels, parseGrade } from "../registry/codes.js";
import {
  choice,
  date,
  duplicateFinder,
  gradeMisfit,
  identity,
  personNumber,
  REQUIRED,
  rowErrors,
  school,
  stageAt,
  text,
} from "./fields.js";
import type { ImportKindDef } from "./kind.js";

/** 学生: upserted by 学籍号. */
export const studentsKind: ImportKindDef = {
  kind: "students",
  label: "学生",
  permission: "people.write",
  entity: "student",
  needs: { schools: true, classGroups: true },
  ignored: ["学校名称", "学段"],
  columns: [
    {
      key: "studentNumber",
      header: "学籍号",
      aliases: ["全国学籍号", "学生学籍号", "学籍编号", "全国学籍号码"],
      required: true,
      note: "全国学籍号，通常为 G 加18位身份证号；同一文件内不能重复",
      sample: "G141102201003051234",
      text: true,
      width: 24,
    },
    {
      key: "name",
      header: "姓名",
      aliases: ["学生姓名"],
      required: true,
      note: "最多50个字",
      sample: "张小明",
    },
    {
      key: "gender",
      header: "性别",
      required: false,
      note: "填写身份证号时可不填（由身份证号得出），填写时须与身份证号一致",
      allowed: Object.values(genderLabels),
      sample: "男",
    },
    {
      key: "residentId",
      header: "身份证号",
      aliases: ["身份证号码", "公民身份号码", "身份证件号", "证件号码", "身份证件号码"],
      required: false,
      note: "18位，末位可为X；请将该列设为“文本”格式，否则Excel会把号码变成科学计数法并丢失末几位",
      sample: "141102201003051234",
      text: true,
      width: 22,
    },
    {
      key: "birthDate",
      header: "出生日期",
      aliases: ["出生年月日", "出生年月"],
      required: false,
      note: "无身份证号时必填；如 2010-03-05、2010/3/5 或 2010年3月5日；须与身份证号一致",
      sample: "2010-03-05",
      width: 14,
    },
    {
      key: "schoolCode",
      header: "学校标识码",
      aliases: ["学校代码", "学校识别码", "学校标识"],
      required: true,
      note: "10位学校标识码，须为您管理范围内的学校",
      sample: "1411020001",
      text: true,
      width: 14,
    },
    {
      key: "grade",
      header: "年级",
      required: true,
      note: "须在学校办学类型的年级范围内；也可填数字（学前 -2～0，小学 1～6，初中 7～9，高中 10～12）",
      allowed: Object.values(gradeLabels),
      sample: "七年级",
    },
    {
      key: "className",
      header: "班级",
      aliases: ["班级名称", "班别", "所在班级"],
      required: false,
      note: "本学年已建立的班级名称（先导入班级）；可不填",
      sample: "七年级1班",
    },
    {
      key: "status",
      header: "学籍状态",
      aliases: ["状态", "在校状态"],
      required: false,
      note: "不填为“在读”",
      allowed: Object.values(enrolmentStatusLabels),
      sample: "在读",
    },
    {
      key: "enrolledOn",
      header: "入学日期",
      aliases: ["入学时间", "入学年月"],
      required: false,
      note: "如 2022-09-01",
      sample: "2022-09-01",
      width: 14,
    },
  ],
  stage: [
    ["student_number", "text"],
    ["name", "text"],
    ["gender", "text"],
    ["resident_id", "text"],
    ["birth_date", "date"],
    ["school_id", "bigint"],
    ["school_code", "text"],
    ["org_path", 'text collate "C"'],
    ["county_code", "text"],
    ["stage", "text"],
    ["grade", "int"],
    ["class_group_id", "bigint"],
    ["status", "text"],
    ["enrolled_on", "date"],
  ],
  validator(l) {
    const numbers = duplicateFinder("学籍号");
    const ids = duplicateFinder("身份证号");
    const state = rowErrors();
    return (r, err) => {
      const fail = state.start(err);
      const studentNumber = personNumber(r, fail, "studentNumber", "学籍号");
      const name = text(r, fail, "name", { required: true, max: 50 });
      const who = identity(r, fail, l.today, true);
      const s = school(r, fail, l);
      const g = r.get("grade");
      const grade = g === "" ? undefined : parseGrade(g);
      if (g === "") fail("grade", "", REQUIRED);
      else if (grade === undefined)
        fail("grade", g, `年级无效（可填：${Object.values(gradeLabels).join("、")}，或 -2～12 的数字）`);
      else if (s) {
        const misfit = gradeMisfit(grade, s.schoolType);
        if (misfit) fail("grade", g, misfit);
      }
      let classGroupId: string | null = null;
      const className = r.get("className");
      if (className && s && grade !== undefined) {
        const c = l.classGroups.get(`${s.id}|${l.schoolYear}|${className}`);
        if (!c)
          fail(
            "className",
            className,
            `${s.name}${l.schoolYear}学年没有名为“${className}”的班级，请先导入班级或留空`,
          );
        else if (c.grade !== grade)
          fail(
            "className",
            className,
            `班级“${className}”是${gradeLabels[c.grade] ?? c.grade}的班级，与年级不一致`,
          );
        else classGroupId = String(c.id);
      }
      const status = choice(r, fail, "status", enrolmentStatusLabels);
      const enrolledOn = date(r, fail, "enrolledOn", { notAfter: l.today });
      if (studentNumber) numbers(r, fail, "studentNumber", studentNumber);
      if (who?.residentId) ids(r, fail, "residentId", who.residentId);
      if (state.failed || !studentNumber || !name || !who || !s || grade === undefined) return null;
      return [
        studentNumber,
        name,
        who.gender,
        who.residentId,
        who.birthDate,
        String(s.id),
        s.code,
        s.path,
        s.countyCode,
        stageAt(grade, s),
        String(grade),
        classGroupId,
        status ?? "enrolled",
        enrolledOn ?? null,
      ];
    };
  },
};
