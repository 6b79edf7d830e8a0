import { type Actor, requirePermission } from "../../shared/actor.js";
import { notFound } from "../../shared/errors.js";
import { type Stage, schoolTypeByCode, schoolTypes, stageLabels } from "../registry/codes.js";
import type { StatsRepository } from "./repository.js";
import type { CountiesResponse, CountyBreakdown, CountyFigures } from "./schemas.js";

/** 生师比 = 在校学生数 ÷ 专任教师数 (教育统计口径), one decimal; null without teachers. */
export function studentsPerTeacher(students: number, teachers: number): number | null {
  return teachers > 0 ? Math.round((students / teachers) * 10) / 10 : null;
}

export class StatsService {
  constructor(private readonly repo: StatsRepository) {}

  warm() {
    this.repo.summary.warm();
  }

  /** The city map's figures: one row per county the actor may see, and their total. */
  async counties(actor: Actor, asOf = new Date().toISOString().slice(0, 10)): Promise<CountiesResponse> {
    requirePermission(actor, "registry.read");
    const rows = await this.repo.countyCounts(actor.scopePaths, asOf);
    const counties: CountyFigures[] = rows.map((r) => ({
      ...r,
      access: actor.scopePaths.some((p) => r.path.startsWith(p)) ? "full" : "partial",
      studentsPerTeacher: studentsPerTeacher(r.students, r.teachers),
    }));
    const sum = (k: "schools" | "kindergartens" | "students" | "staff" | "teachers") =>
      counties.reduce((a, c) => a + c[k], 0);
    // Ratios roll up by summing numerators and denominators, never by averaging county ratios.
    const total = {
      schools: sum("schools"),
      kindergartens: sum("kindergartens"),
      students: sum("students"),
      staff: sum("staff"),
      teachers: sum("teachers"),
      studentsPerTeacher: studentsPerTeacher(sum("students"), sum("teachers")),
    };
    return { asOf, counties, total };
  }

  /**
   * One county's schools by type and ownership and students by stage. A county outside the scope
   * is "not found", like any record out of scope.
   */
  async county(
    actor: Actor,
    code: string,
    asOf = new Date().toISOString().slice(0, 10),
  ): Promise<CountyBreakdown> {
    requirePermission(actor, "registry.read");
    const [county] = await this.repo.visibleCounties(actor.scopePaths, asOf, code);
    if (!county) throw notFound("县（市、区）");
    const b = await this.repo.countyBreakdown(code, actor.scopePaths, asOf);
    const byType = new Map<string | null, { public: number; private: number }>();
    for (const r of b.schools) {
      const e = byType.get(r.schoolType) ?? { public: 0, private: 0 };
      if (r.ownership === "private") e.private += r.count;
      else e.public += r.count;
      byType.set(r.schoolType, e);
    }
    // In the order of the JY/T 1001 code list, unknown codes last.
    const order = (t: string | null) => {
      const i = schoolTypes.findIndex((s) => s.code === t);
      return i < 0 ? 999 : i;
    };
    const schoolsByType = [...byType.entries()]
      .sort((a, b2) => order(a[0]) - order(b2[0]))
      .map(([schoolType, n]) => ({
        schoolType,
        label: (schoolType && schoolTypeByCode.get(schoolType)?.label) || "其他",
        public: n.public,
        private: n.private,
        total: n.public + n.private,
      }));
    const stageOrder = Object.keys(stageLabels);
    const studentsByStage = b.students
      .sort((x, y) => stageOrder.indexOf(x.stage) - stageOrder.indexOf(y.stage))
      .map((r) => ({ stage: r.stage, label: stageLabels[r.stage as Stage] ?? r.stage, students: r.count }));
    return {
      code,
      name: county.name,
      access: actor.scopePaths.some((p) => county.path.startsWith(p)) ? "full" : "partial",
      schoolsByType,
      studentsByStage,
    };
  }
}
