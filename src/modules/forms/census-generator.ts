import type { SubmissionStatus } from "../../db/types.js";
import { Random } from "../../demo/random.js";
import { type Stage, schoolTypeByCode } from "../registry/codes.js";
import type { FormValue } from "./validation.js";

/**
 * The demo city's 办学条件年报 for 2021 and 2022: deterministic (src/demo/random.ts), pure (no I/O).
 * Each county has a made-up "strength" so that, against the 2022 plan targets, some counties meet
 * them and some do not, and 2022 is better than 2021. The figures are synthetic, not Lüliang's.
 */

export interface CensusSchool {
  id: number;
  code: string;
  path: string;
  countyCode: string;
  schoolType: string;
  validFrom: string;
  validTo: string | null;
  /** students on the roll by stage */
  students: Partial<Record<Stage, number>>;
}

export interface CensusCounty {
  id: number;
  code: string;
  path: string;
}

export interface GeneratedSubmission {
  form: "school_census" | "county_census";
  period: "2021" | "2022";
  orgUnitId: number;
  orgPath: string;
  countyCode: string;
  status: SubmissionStatus;
  comment: string | null;
  /** day of submission (and of the values), then approval and acceptance when reached */
  submittedOn: string;
  approvedOn: string | null;
  acceptedOn: string | null;
  values: { element: string; disaggregation: string; value: FormValue }[];
}

/** Demo-only county strength in [0, 1]: drives rates of the targets below. */
export const countyStrength: Record<string, number> = {
  "141102": 0.95, // 离石区
  "141181": 0.9, // 孝义市
  "141182": 0.85, // 汾阳市
  "141122": 0.75, // 交城县
  "141121": 0.7, // 文水县
  "141129": 0.65, // 中阳县
  "141125": 0.6, // 柳林县
  "141127": 0.5, // 岚县
  "141128": 0.45, // 方山县
  "141124": 0.4, // 临县
  "141123": 0.35, // 兴县
  "141130": 0.3, // 交口县
  "141126": 0.25, // 石楼县
};

/** The e2e journey fills this school's 2022 return itself: the demo leaves it not started. */
export const E2E_SCHOOL = "1411020001";

type Year = "2021" | "2022";

/**
 * Shares of schools per county and year. The plan's targets (2022, issue 4 / MISSION.md):
 * 平安校园覆盖率 ≥ 90 %; 法治副校长 100 % (教育部令第52号, in force 2022-05-01 — hence the low 2021
 * figures); 千兆到校 (uplink ≥ 1000 Mbps); 百兆到班 (≥ 100 Mbps per class); 万兆到县 (≥ 10000 Mbps).
 */
function rates(p: number, year: Year) {
  const y22 = year === "2022";
  return {
    safeCampus: y22 ? 0.8 + 0.17 * p : 0.74 + 0.17 * p, // ≥ 0.9 in 2022 when p ≥ 0.59
    lawVp: y22 ? (p >= 0.6 ? 1 : 0.88 + 0.15 * p) : 0.5 + 0.3 * p,
    gigabit: y22 ? 0.45 + 0.5 * p : 0.25 + 0.45 * p,
    class100: y22 ? 0.35 + 0.55 * p : 0.15 + 0.45 * p,
    parentSchool: y22 ? 0.75 + 0.24 * p : 0.65 + 0.25 * p,
    parentCommittee: y22 ? 0.85 + 0.15 * p : 0.78 + 0.18 * p,
    countyUplink: y22
      ? p >= 0.9
        ? 20000
        : p >= 0.55
          ? 10000
          : p >= 0.4
            ? 5000
            : 2000
      : p >= 0.85
        ? 10000
        : p >= 0.5
          ? 2000
          : 1000,
    ideologyStudio: y22 ? p >= 0.35 : p >= 0.65,
    afterSchool: y22 ? 0.72 + 0.22 * p : 0.45 + 0.25 * p,
  };
}

/** Demo norms per student by stage, around the 优质均衡 thresholds (教督〔2017〕6号: 4.5/5.8 ㎡, 7.5/10.2 ㎡, 2000/2500 元, 2.3/2.4 per 100). */
const norms: Record<Stage, { area: number; sports: number; yuan: number; mm100: number }> = {
  preschool: { area: 6, sports: 4, yuan: 1500, mm100: 1.5 },
  primary: { area: 4.5, sports: 7.5, yuan: 2000, mm100: 2.3 },
  junior: { area: 5.8, sports: 10.2, yuan: 2500, mm100: 2.4 },
  senior: { area: 7, sports: 11, yuan: 3500, mm100: 2.8 },
  vocational: { area: 8, sports: 10, yuan: 5000, mm100: 3 },
  special: { area: 12, sports: 8, yuan: 4000, mm100: 4 },
};

const returnComments = [
  "体育运动场馆面积与上年差异较大，请核实后重新上报",
  "出口带宽与运营商合同不一致，请核实",
  "教学仪器设备值单位应为万元，请更正",
  "班级接入带宽填写有误，请核实",
  "课后服务参与人数超过在校生数，请核实",
];

const day = (iso: string, plus: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + plus);
  return d.toISOString().slice(0, 10);
};

/** Marks exactly round(share × n) of `items` (a random choice) as true. */
function exactly<T>(rng: Random, items: T[], share: number): Set<T> {
  const k = Math.round(Math.min(1, Math.max(0, share)) * items.length);
  return new Set(rng.shuffle([...items]).slice(0, k));
}

function pickStatus(rng: Random, year: Year, p: number): SubmissionStatus | "none" {
  const x = rng.next();
  const gap = 1 - p; // weaker counties are later and sloppier
  if (year === "2021") {
    if (x < 0.01 + 0.02 * gap) return "none";
    if (x < 0.015 + 0.02 * gap) return "draft";
    if (x < 0.03 + 0.03 * gap) return "returned";
    if (x < 0.08 + 0.03 * gap) return "approved";
    return "accepted";
  }
  if (x < 0.02 + 0.05 * gap) return "none";
  if (x < 0.035 + 0.06 * gap) return "draft";
  if (x < 0.06 + 0.08 * gap) return "returned";
  if (x < 0.16 + 0.12 * gap) return "submitted";
  if (x < 0.4 + 0.12 * gap) return "approved";
  return "accepted";
}

function schoolValues(rng: Random, s: CensusSchool, p: number, year: Year, flags: Record<string, boolean>) {
  const stages = schoolTypeByCode.get(s.schoolType)?.stages ?? ["primary"];
  const growth = year === "2021" ? 0.95 : 1;
  const quality = (0.88 + 0.2 * p) * growth;
  let area = 0;
  let sports = 0;
  let yuan = 0;
  let mm = 0;
  for (const st of stages) {
    const n = s.students[st] ?? 0;
    area += n * norms[st].area;
    sports += n * norms[st].sports;
    yuan += n * norms[st].yuan;
    mm += (n / 100) * norms[st].mm100;
  }
  const f = () => rng.spread(0.22) * quality;
  const uplink = flags.gigabit ? rng.pick([1000, 1000, 1000, 1000, 2000]) : rng.pick([100, 200, 300, 500]);
  const classBw = Math.min(
    uplink,
    flags.class100 ? rng.pick([100, 100, 100, 200]) : rng.pick([10, 20, 50, 50]),
  );
  const v: GeneratedSubmission["values"] = [
    { element: "teaching_area_m2", disaggregation: "", value: Math.max(200, Math.round(area * f())) },
    { element: "sports_area_m2", disaggregation: "", value: Math.max(150, Math.round(sports * f())) },
    {
      element: "equipment_value_wan",
      disaggregation: "",
      value: Math.max(2, Math.round((yuan * f()) / 100) / 100),
    },
    { element: "multimedia_classrooms", disaggregation: "", value: Math.max(1, Math.round(mm * f())) },
    { element: "uplink_mbps", disaggregation: "", value: uplink },
    { element: "class_bandwidth_mbps", disaggregation: "", value: classBw },
    { element: "rule_of_law_vp", disaggregation: "", value: flags.lawVp },
    { element: "parent_school", disaggregation: "", value: flags.parentSchool },
    { element: "parent_committee", disaggregation: "", value: flags.parentCommittee },
    { element: "safe_campus", disaggregation: "", value: flags.safeCampus ? "met" : "unmet" },
  ];
  const compulsory = (s.students.primary ?? 0) + (s.students.junior ?? 0);
  if (compulsory > 0) {
    const r = rates(p, year).afterSchool * rng.spread(0.06);
    const total = Math.min(compulsory, Math.round(compulsory * r));
    const m = Math.round(total * (0.5 + rng.normal(0.02, 0.01)));
    v.push(
      { element: "after_school_students", disaggregation: "m", value: m },
      { element: "after_school_students", disaggregation: "f", value: total - m },
      { element: "after_school_students", disaggregation: "", value: total },
    );
  }
  const before = year === "2021" ? 12 : 0; // 双减 (2021-07) shortened homework
  const clamp = (x: number, lo: number, hi: number) => Math.round(Math.max(lo, Math.min(hi, x)));
  if (stages.includes("primary")) {
    const low = rng.chance(0.02 + 0.12 * (1 - p) + (before ? 0.2 : 0)) ? rng.pick([10, 15, 20]) : 0;
    v.push(
      { element: "homework_min_primary_low", disaggregation: "", value: low },
      {
        element: "homework_min_primary_high",
        disaggregation: "",
        value: clamp(rng.normal(46 + 16 * (1 - p) + before, 8), 20, 120),
      },
    );
  }
  if (stages.includes("junior"))
    v.push({
      element: "homework_min_junior",
      disaggregation: "",
      value: clamp(rng.normal(76 + 20 * (1 - p) + before, 10), 30, 150),
    });
  return v;
}

const periodStart = (y: Year) => `${y}-01-01`;
const periodEnd = (y: Year) => `${y}-12-31`;
const existsIn = (s: CensusSchool, y: Year) =>
  s.validFrom <= periodEnd(y) && (s.validTo === null || s.validTo > periodStart(y));

/** Every demo submission of both census forms for 2021 and 2022. */
export function generateCensus(
  schools: CensusSchool[],
  counties: CensusCounty[],
  seed = "lvliang-census",
): GeneratedSubmission[] {
  const out: GeneratedSubmission[] = [];
  for (const year of ["2021", "2022"] as const) {
    for (const county of counties) {
      const p = countyStrength[county.code] ?? 0.5;
      const r = rates(p, year);
      const rng = Random.derive(seed, year, county.code);
      const mine = schools.filter((s) => s.countyCode === county.code && existsIn(s, year));
      const sets = {
        safeCampus: exactly(rng, mine, r.safeCampus),
        lawVp: exactly(rng, mine, r.lawVp),
        gigabit: exactly(rng, mine, r.gigabit),
        class100: exactly(rng, mine, r.class100),
        parentSchool: exactly(rng, mine, r.parentSchool),
        parentCommittee: exactly(rng, mine, r.parentCommittee),
      };
      const dueYear = Number(year) + 1;
      for (const s of mine) {
        let status = pickStatus(rng, year, p);
        if (year === "2022" && s.code === E2E_SCHOOL) status = "none";
        const flags = Object.fromEntries(Object.entries(sets).map(([k, set]) => [k, set.has(s)]));
        const values = schoolValues(rng, s, p, year, flags);
        if (status === "none") continue;
        const submittedOn = day(`${dueYear}-01-04`, rng.int(0, 80));
        const approved = status === "approved" || status === "accepted";
        const approvedOn = approved ? day(submittedOn, rng.int(2, 12)) : null;
        out.push({
          form: "school_census",
          period: year,
          orgUnitId: s.id,
          orgPath: s.path,
          countyCode: s.countyCode,
          status,
          comment: status === "returned" ? rng.pick(returnComments) : null,
          submittedOn,
          approvedOn,
          acceptedOn: status === "accepted" && approvedOn ? day(approvedOn, rng.int(3, 20)) : null,
          // a draft is half filled
          values: status === "draft" ? values.slice(0, 6) : values,
        });
      }
      const submittedOn = day(`${dueYear}-02-01`, rng.int(0, 40));
      const approvedOn = day(submittedOn, rng.int(2, 10));
      const accepted = year === "2021" || p >= 0.4;
      out.push({
        form: "county_census",
        period: year,
        orgUnitId: county.id,
        orgPath: county.path,
        countyCode: county.code,
        status: accepted ? "accepted" : "approved",
        comment: null,
        submittedOn,
        approvedOn,
        acceptedOn: accepted ? day(approvedOn, rng.int(2, 10)) : null,
        values: [
          { element: "county_uplink_mbps", disaggregation: "", value: r.countyUplink },
          { element: "ideology_studio", disaggregation: "", value: r.ideologyStudio },
        ],
      });
    }
  }
  return out;
}
