import { type Actor, requirePermission } from "../../shared/actor.js";
import type { StatsRepository } from "./repository.js";
import type { CountiesResponse, CountyFigures } from "./schemas.js";

/** 生师比 = 在校学生数 ÷ 专任教师数 (教育统计口径), one decimal; null without teachers. */
export function studentsPerTeacher(students: number, teachers: number): number | null {
  return teachers > 0 ? Math.round((students / teachers) * 10) / 10 : null;
}

export class StatsService {
  constructor(private readonly repo: StatsRepository) {}

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
}
