import { screeningsKind } from "../health/screening-import.js";
import type { ImportKind, ImportKindDef } from "./kind.js";
import { classGroupsKind } from "./kind-class-groups.js";
import { schoolsKind } from "./kind-schools.js";
import { staffKind } from "./kind-staff.js";
import { studentsKind } from "./kind-students.js";

/** Every import kind, in the order a bureau loads them: schools, staff, classes, students. */
export const kinds: Record<ImportKind, ImportKindDef> = {
  schools: schoolsKind,
  staff: staffKind,
  "class-groups": classGroupsKind,
  students: studentsKind,
  "vision-screenings": screeningsKind,
};

export const importOrderNote = "导入顺序：学校 → 教职工 → 班级 → 学生（班级引用班主任工号，学生引用班级）";
