import { gradeLabels, parseGrade } from "../registry/codes.js";
import { duplicateFinder, gradeMisfit, REQUIRED, rowErrors, school, stageAt, text } from "./fields.js";
import type { ImportKindDef } from "./kind.js";
import { parseSchoolYear } from "./values.js";

/** 班级: upserted by school + 学年 + 班级名称. */
export const classGroupsKind: ImportKindDef = {
  kind: "class-groups",
  label: "班级",
  permission: "people.write",
  entity: "class_group",
  needs: { schools: true },
  ignored: ["班级编号", "学校名称", "学段", "班主任", "学生人数"],
  columns: [
    {
      key: "schoolCode",
      header: "学校标识码",
      aliases: ["学校代码", "学校识别码"],
      required: true,
      note: "10位学校标识码，须为您管理范围内的学校",
      sample: "1411020001",
      text: true,
      width: 14,
    },
    {
      key: "schoolYear",
      header: "学年",
      aliases: ["学年度"],
      required: false,
      note: "学年以秋季开学的年份命名，如 2024 或 2024-2025；不填为本学年",
      sample: "2024-2025",
      text: true,
      width: 12,
    },
    {
      key: "name",
      header: "班级名称",
      aliases: ["班级", "班名"],
      required: true,
      note: "同一学校同一学年内不能重复，如“七年级1班”",
      sample: "七年级1班",
    },
    {
      key: "grade",
      header: "年级",
      required: true,
      note: "须在学校办学类型的年级范围内",
      allowed: Object.values(gradeLabels),
      sample: "七年级",
    },
    {
      key: "homeroom",
      header: "班主任工号",
      aliases: ["班主任编号"],
      required: false,
      note: "本校教职工的工号（先导入教职工）；可不填",
      sample: "T1411020001001",
      text: true,
      width: 18,
    },
  ],
  stage: [
    ["school_id", "bigint"],
    ["school_code", "text"],
    ["org_path", 'text collate "C"'],
    ["county_code", "text"],
    ["school_year", "int"],
    ["stage", "text"],
    ["grade", "int"],
    ["name", "text"],
    ["homeroom_staff_number", "text"],
  ],
  validator(l) {
    const keys = duplicateFinder("班级（学校+学年+班级名称）");
    const state = rowErrors();
    return (r, err) => {
      const fail = state.start(err);
      const s = school(r, fail, l);
      const y = r.get("schoolYear");
      const year = y === "" ? l.schoolYear : parseSchoolYear(y);
      if (year === null) fail("schoolYear", y, "学年无效，请填写如 2024 或 2024-2025");
      const name = text(r, fail, "name", { required: true, max: 30 });
      const g = r.get("grade");
      const grade = g === "" ? undefined : parseGrade(g);
      if (g === "") fail("grade", "", REQUIRED);
      else if (grade === undefined)
        fail("grade", g, `年级无效（可填：${Object.values(gradeLabels).join("、")}）`);
      else if (s) {
        const misfit = gradeMisfit(grade, s.schoolType);
        if (misfit) fail("grade", g, misfit);
      }
      const homeroom = r.get("homeroom").toUpperCase();
      if (homeroom && !/^[A-Z0-9]{1,30}$/.test(homeroom))
        fail("homeroom", homeroom, "工号应为1-30位大写字母或数字");
      if (s && year !== null && name) keys(r, fail, "name", `${s.code}|${year}|${name}`, name);
      if (state.failed || !s || year === null || !name || grade === undefined) return null;
      return [
        String(s.id),
        s.code,
        s.path,
        s.countyCode,
        String(year),
        stageAt(grade, s),
        String(grade),
        name,
        homeroom || null,
      ];
    };
  },
};
