import { type Kysely, sql } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../../db/connect.js";
import type { DB } from "../../db/types.js";
import { type DemoExtra, markDemoExtra } from "../../demo/extras.js";
import { countyProfiles } from "../../demo/places.js";
import { Random } from "../../demo/random.js";
import type { CaseKindDefinition } from "../cases/engine/kind.js";
import { todayInChina } from "../registry/calendar.js";
import { trainingCaseKind } from "../training/kind.js";
import { evaluateInspection, type Finding, type TrainingRule } from "../training/rules.js";
import { reportCategories, reportKind } from "./kind.js";
import { hashSecret, receiptFromSymbols } from "./receipt.js";

/**
 * Demo data of 监督举报 and 校外培训: a few hundred training institutions over the 13 counties (more
 * in the bigger ones), a year of inspections judged by the real rules engine, enforcement cases from
 * their findings and from public complaints, and reports in every state (some overdue, some waiting
 * on the reporter), with receipts. One receipt is fixed so the demo can be followed by hand
 * (README: 查询码 DEMO_RECEIPT.code, 查询密码 DEMO_RECEIPT.secret). Everything in one transaction.
 */
export const DEMO_RECEIPT = receiptFromSymbols("DEM0REP0RT1", "DEMO-2026-0000-0001");

const SEED = "reports-demo-2026";
const DAY = 86_400_000;

const brands = [
  "启航",
  "智慧树",
  "新东方红",
  "书香",
  "博雅",
  "飞扬",
  "阳光",
  "金话筒",
  "小天鹅",
  "翰墨",
  "星火",
  "思源",
  "乐学",
  "童心",
  "远航",
  "优才",
  "求知",
  "明德",
  "晨曦",
  "彩虹",
];
const academicSubjects = ["数学", "英语", "语文", "物理", "化学"];
const otherSubjects = [
  "美术",
  "舞蹈",
  "书法",
  "音乐",
  "编程",
  "跆拳道",
  "围棋",
  "篮球",
  "机器人",
  "播音主持",
];
const banks = ["中国银行", "工商银行", "建设银行", "农业银行", "吕梁农商银行"];
const inspectorNames = ["张建军", "李红", "王志刚", "刘芳", "陈伟", "杨丽", "赵强", "郭敏", "马俊", "高峰"];
const reportTitles: Record<string, string[]> = {
  ethics: ["教师体罚学生", "教师言语侮辱学生", "教师收受家长礼品", "教师在家长群发布不当言论"],
  paid_tutoring: ["在职教师周末有偿补课", "教师暗示学生参加其校外辅导班", "寒假期间在家中组织补课"],
  fees: ["学校强制征订教辅资料", "以校服名义超标准收费", "课后服务费收取不透明"],
  admission: ["招生中收取择校费", "违规跨区域招生", "入学登记要求提供无关证明"],
  construction: ["操场改造工程质量差", "食堂装修工程疑似围标"],
  recruitment: ["代课教师招聘不公开"],
  procurement: ["学生床上用品采购价格过高"],
  appraisal: ["职称评定材料造假"],
  other: ["学校午餐质量差", "校车超载"],
};

/** GB 32100-2015 check character of the first 17 characters of a 统一社会信用代码. */
function creditCheck(first17: string): string {
  const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += alphabet.indexOf(first17[i]) * weights[i];
  return alphabet[(31 - (sum % 31)) % 31];
}

interface CaseSeed {
  kind: CaseKindDefinition;
  title: string;
  orgUnitId: number;
  orgPath: string;
  countyCode: string;
  category: string;
  source: string;
  data: Record<string, unknown>;
  createdAt: Date;
  /** The steps taken, in order, each with its fields and how many days after filing. */
  steps: { code: string; day: number; fields?: Record<string, unknown>; comment?: string }[];
  actor: string;
}

export const reportsDemo: DemoExtra = {
  name: "reports.demo",
  async load(database: Database, log: Logger) {
    const t0 = performance.now();
    const summary = await database.bulkTransaction(async (tx) => {
      const counts = await generate(tx.db, new Date());
      await markDemoExtra(tx.db, "reports.demo", counts);
      return counts;
    });
    log.info({ ...summary, seconds: Math.round(performance.now() - t0) / 1000 }, "reports demo loaded");
  },
};

async function generate(tx: Kysely<DB>, now: Date) {
  const rng = new Random(SEED);
  const today = todayInChina(now);
  const counties = await tx
    .selectFrom("org_unit")
    .select(["id", "code", "name", "path"])
    .where("kind", "=", "county")
    .orderBy("code")
    .execute();
  const rules = (await tx.selectFrom("training_rule").selectAll().execute()).map(
    (r): TrainingRule => ({
      code: r.code as TrainingRule["code"],
      label: r.label,
      value: r.value === null ? null : Number(r.value),
      unit: r.unit,
      appliesTo: r.applies_to,
      basis: r.basis,
    }),
  );

  // ---- institutions
  const institutions: {
    name: string;
    credit_code: string;
    category: "academic" | "non_academic";
    subjects: string[];
    licence_no: string | null;
    licence_valid_to: string | null;
    online: boolean;
    address: string;
    county_code: string;
    org_path: string;
    prepay_bank: string | null;
    prepay_account: string | null;
    status: string;
  }[] = [];
  for (const county of counties) {
    const profile = countyProfiles.find((p) => p.code === county.code);
    const n = Math.max(8, Math.round((profile?.population ?? 200) / 11));
    const places = profile ? [...profile.urbanAreas, ...profile.towns] : [county.name];
    const used = new Set<string>();
    for (let i = 0; i < n; i++) {
      const academic = rng.chance(0.15);
      const subjects = academic
        ? rng.shuffle([...academicSubjects]).slice(0, rng.int(1, 3))
        : rng.shuffle([...otherSubjects]).slice(0, rng.int(1, 2));
      let name = "";
      for (let k = 0; k < 5 && (!name || used.has(name)); k++) {
        const kindWord = academic ? "学科培训学校" : `${subjects[0]}培训中心`;
        name = `${county.name}${rng.pick(brands)}${k ? rng.int(2, 9) : ""}${kindWord}`;
      }
      used.add(name);
      const licensed = rng.chance(0.92);
      const first17 = `52${county.code}MJ${String(institutions.length).padStart(4, "0")}${rng.int(100, 999)}`;
      const valid = new Date(now.getTime() + rng.int(-200, 1500) * DAY).toISOString().slice(0, 10);
      const account = rng.chance(0.78);
      institutions.push({
        name,
        credit_code: first17 + creditCheck(first17),
        category: academic ? "academic" : "non_academic",
        subjects,
        licence_no: licensed ? `教民${county.code}${rng.int(100000, 999999)}号` : null,
        licence_valid_to: licensed ? valid : null,
        online: rng.chance(academic ? 0.4 : 0.15),
        address: `${county.name}${rng.pick(places)}${rng.pick(["迎宾路", "滨河路", "龙凤大街", "永宁路", "人民路", "新华街"])}${rng.int(1, 300)}号`,
        county_code: county.code,
        org_path: county.path,
        prepay_bank: account ? rng.pick(banks) : null,
        prepay_account: account ? `62170${rng.int(10000000, 99999999)}${rng.int(1000, 9999)}` : null,
        status: rng.chance(0.86) ? "operating" : rng.chance(0.5) ? "suspended" : "closed",
      });
    }
  }
  const instRows = await tx
    .insertInto("training_institution")
    .values(institutions)
    .returning(["id", "county_code", "category", "licence_no", "licence_valid_to", "name", "status"])
    .execute();
  const countyByCode = new Map(counties.map((c) => [c.code, c]));

  // ---- inspections (a year of them), findings by the rules engine, cases from some findings
  const caseSeeds: CaseSeed[] = [];
  const findingRows: { inspection: number; finding: Finding }[] = [];
  const inspections: {
    institution_id: number;
    org_path: string;
    county_code: string;
    inspected_on: string;
    inspectors: string;
    note: string | null;
    created_by: string;
  }[] = [];
  const inspectionCase = new Map<number, number>(); // inspection index → case seed index
  for (const inst of instRows) {
    if (inst.status === "closed") continue;
    const times = rng.int(0, 3);
    for (let t = 0; t < times; t++) {
      const daysAgo = rng.int(3, 360);
      const on = new Date(now.getTime() - daysAgo * DAY).toISOString().slice(0, 10);
      const bad = rng.chance(0.22);
      const obs = bad
        ? {
            prepaidMonths: rng.chance(0.5) ? rng.pick([4, 6, 12]) : rng.int(1, 3),
            prepaidHours: rng.chance(0.3) ? rng.pick([80, 96, 120]) : null,
            restDayClassOn: inst.category === "academic" && rng.chance(0.5) ? on : null,
            onlineSessionMinutes: rng.chance(0.2) ? rng.pick([40, 45, 60]) : null,
            onlineEndTime: rng.chance(0.15) ? "21:40" : null,
            prepayOutsideAccount: rng.chance(0.25),
          }
        : { prepaidMonths: rng.int(1, 3), prepaidHours: rng.int(10, 60), onlineSessionMinutes: 30 };
      const findings = evaluateInspection(
        { category: inst.category, licenceNo: inst.licence_no, licenceValidTo: inst.licence_valid_to },
        obs,
        rules,
        on,
      );
      const index = inspections.length;
      inspections.push({
        institution_id: inst.id,
        org_path: countyByCode.get(inst.county_code)!.path,
        county_code: inst.county_code,
        inspected_on: on,
        inspectors: `${rng.pick(inspectorNames)}、${rng.pick(inspectorNames)}`,
        note: findings.length ? "现场检查发现问题，已告知机构负责人" : "现场检查，未发现问题",
        created_by: `${countyByCode.get(inst.county_code)!.name}教育局`,
      });
      for (const f of findings) findingRows.push({ inspection: index, finding: f });
      if (findings.length && rng.chance(0.55)) {
        inspectionCase.set(index, caseSeeds.length);
        caseSeeds.push(
          trainingSeed(rng, inst, countyByCode.get(inst.county_code)!, findings, daysAgo, now, "inspection"),
        );
      }
    }
  }
  // complaints from the public page about institutions
  for (let i = 0; i < 30; i++) {
    const inst = rng.pick(instRows);
    const county = countyByCode.get(inst.county_code)!;
    const daysAgo = rng.int(1, 200);
    caseSeeds.push(
      trainingSeed(
        rng,
        inst,
        county,
        [{ ruleCode: "prepay_months", measured: 12, detail: "家长投诉：一次性收取 12 个月费用" }],
        daysAgo,
        now,
        "public_complaint",
      ),
    );
  }

  // ---- reports about schools
  const schools = await tx
    .selectFrom("org_unit")
    .select(["id", "path", "county_code"])
    .where("kind", "=", "school")
    .where("valid_to", "is", null)
    .orderBy("id")
    .execute();
  const reportSeeds: { seed: CaseSeed; online: boolean; staffUphold: boolean; openQuestion: boolean }[] = [];
  for (let i = 0; i < 160; i++) {
    const school = rng.pick(schools);
    const category = rng.pick(reportCategories).code;
    const online = rng.chance(0.8);
    const daysAgo = i === 0 ? 12 : rng.int(1, 330);
    const createdAt = new Date(now.getTime() - daysAgo * DAY);
    const path = rng.next();
    const steps: CaseSeed["steps"] = [];
    let staffUphold = false;
    let openQuestion = false;
    // state mix: 20% received, 35% investigating, 15% upheld, 18% unfounded, 12% rejected
    if (i === 0 || (path >= 0.2 && path < 0.55)) {
      steps.push({ code: "accept", day: rng.int(1, 10) });
      openQuestion = online && (i === 0 || rng.chance(0.4));
    } else if (path >= 0.55 && path < 0.7) {
      steps.push({ code: "accept", day: rng.int(1, 10) });
      staffUphold = category === "ethics" || category === "paid_tutoring";
      steps.push({
        code: "uphold",
        day: rng.int(20, 80),
        fields: {
          finding: "经调查核实，反映问题基本属实",
          measure: rng.pick(["批评教育", "诫勉谈话", "通报批评", "警告", "记过"]),
          reply: "您反映的问题经调查基本属实，已依规依纪处理。感谢您的监督。",
        },
      });
    } else if (path >= 0.7 && path < 0.88) {
      steps.push({ code: "accept", day: rng.int(1, 10) });
      steps.push({
        code: "dismiss_unfounded",
        day: rng.int(20, 80),
        fields: { reply: "经调查，您反映的问题查无实据。感谢您的监督。" },
        comment: "走访师生、查阅资料，未发现所反映问题",
      });
    } else if (path >= 0.88) {
      steps.push({
        code: "reject",
        day: rng.int(1, 10),
        fields: { reply: "您反映的问题不属于本部门受理范围，请向相关部门反映。" },
        comment: "不属于受理范围",
      });
    }
    const realSteps = steps.filter((s) => s.day <= daysAgo);
    reportSeeds.push({
      online,
      staffUphold: staffUphold && realSteps.some((s) => s.code === "uphold"),
      openQuestion: openQuestion && realSteps.length > 0,
      seed: {
        kind: reportKind,
        title: i === 0 ? "在职教师周末有偿补课" : rng.pick(reportTitles[category] ?? reportTitles.other),
        orgUnitId: school.id,
        orgPath: school.path,
        countyCode: school.county_code ?? "",
        category,
        source: online
          ? rng.chance(0.75)
            ? "online_anonymous"
            : "online_named"
          : rng.pick(["letter", "phone", "visit"]),
        data: {
          description: "举报人反映的情况（演示数据）。",
          ...(rng.chance(0.5) ? { subjectName: "某老师" } : {}),
        },
        createdAt,
        steps: realSteps,
        actor: "市教育局纪检组",
      },
    });
  }

  // ---- write cases and their timelines
  const allSeeds = [...caseSeeds, ...reportSeeds.map((r) => r.seed)];
  const caseIds = await insertCases(tx, allSeeds, now);
  const reportIds = caseIds.slice(caseSeeds.length);

  const inspectionIds = await tx
    .insertInto("training_inspection")
    .values(inspections)
    .returning("id")
    .execute()
    .then((rows) => rows.map((r) => r.id));
  if (findingRows.length)
    await tx
      .insertInto("training_finding")
      .values(
        findingRows.map((f) => ({
          inspection_id: inspectionIds[f.inspection],
          rule_code: f.finding.ruleCode,
          measured: f.finding.measured === null ? null : String(f.finding.measured),
          detail: f.finding.detail,
          case_id: inspectionCase.has(f.inspection) ? caseIds[inspectionCase.get(f.inspection)!] : null,
        })),
      )
      .execute();

  // receipts for online reports and complaints; one known receipt for the README
  const receipts: { case_id: number; code: string; secret_hash: string }[] = [];
  const questions: { case_id: number; question: string; asked_at: Date }[] = [];
  const contacts: { case_id: number; name: string; phone: string }[] = [];
  reportSeeds.forEach((r, i) => {
    if (!r.online) return;
    const receipt =
      i === 0
        ? DEMO_RECEIPT
        : receiptFromSymbols(
            Array.from({ length: 11 }, () => "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[rng.int(0, 31)]).join(""),
            `DEMO-${rng.int(1000, 9999)}-${rng.int(1000, 9999)}-${rng.int(1000, 9999)}`,
          );
    receipts.push({
      case_id: reportIds[i],
      code: receipt.code,
      secret_hash: hashSecret(receipt.code, receipt.secret),
    });
    if (r.seed.source === "online_named")
      contacts.push({
        case_id: reportIds[i],
        name: "实名举报人",
        phone: `1380000${String(i).padStart(4, "0")}`,
      });
    if (r.openQuestion)
      questions.push({
        case_id: reportIds[i],
        question: "请补充说明补课的具体地点和时间，以及是否有收费凭证。",
        asked_at: new Date(r.seed.createdAt.getTime() + 10 * DAY),
      });
  });
  caseSeeds.forEach((s, i) => {
    if (s.source !== "public_complaint") return;
    const receipt = receiptFromSymbols(
      Array.from({ length: 11 }, () => "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[rng.int(0, 31)]).join(""),
      `DEMO-${rng.int(1000, 9999)}-${rng.int(1000, 9999)}-${rng.int(1000, 9999)}`,
    );
    receipts.push({
      case_id: caseIds[i],
      code: receipt.code,
      secret_hash: hashSecret(receipt.code, receipt.secret),
    });
  });
  await tx.insertInto("report_receipt").values(receipts).execute();
  if (contacts.length) await tx.insertInto("report_contact").values(contacts).execute();
  if (questions.length) {
    await tx.insertInto("report_question").values(questions).execute();
    await tx
      .insertInto("case_event")
      .values(
        questions.map((q) => ({
          case_id: q.case_id,
          at: q.asked_at,
          step: "ask_reporter",
          actor_type: "user",
          actor_name: "市教育局纪检组",
          comment: q.question,
          attachments: "[]",
        })),
      )
      .execute();
  }

  // negative-list entries for upheld reports about a teacher of the school
  const upheld = reportSeeds.map((r, i) => ({ r, id: reportIds[i] })).filter((x) => x.r.staffUphold);
  let negatives = 0;
  if (upheld.length) {
    const staff = await sql<{ id: number; school_id: number; org_path: string; county_code: string }>`
      select distinct on (school_id) id, school_id, org_path, county_code from staff
      where school_id = any(${upheld.map((u) => u.r.seed.orgUnitId)}::bigint[]) and deleted_at is null
      order by school_id, id`.execute(tx);
    const bySchool = new Map(staff.rows.map((s) => [Number(s.school_id), s]));
    const entries = upheld.flatMap((u) => {
      const s = bySchool.get(u.r.seed.orgUnitId);
      const f = u.r.seed.steps.find((x) => x.code === "uphold")!.fields!;
      return s
        ? [
            {
              staff_id: s.id,
              org_path: s.org_path,
              county_code: s.county_code,
              category: u.r.seed.category,
              finding: String(f.finding),
              measure: String(f.measure),
              decided_on: new Date(u.r.seed.createdAt.getTime() + u.r.seed.steps[1].day * DAY)
                .toISOString()
                .slice(0, 10),
              source_case_id: u.id,
              recorded_by: "市教育局纪检组",
            },
          ]
        : [];
    });
    if (entries.length) await tx.insertInto("ethics_negative_entry").values(entries).execute();
    negatives = entries.length;
  }
  void today;
  return {
    institutions: instRows.length,
    inspections: inspections.length,
    findings: findingRows.length,
    trainingCases: caseSeeds.length,
    reports: reportSeeds.length,
    receipts: receipts.length,
    negativeEntries: negatives,
  };
}

function trainingSeed(
  rng: Random,
  inst: { id: number; name: string },
  county: { id: number; path: string; code: string },
  findings: Finding[],
  daysAgo: number,
  now: Date,
  source: string,
): CaseSeed {
  const category =
    findings[0].ruleCode.startsWith("prepay_months") || findings[0].ruleCode === "prepay_hours"
      ? "prepay"
      : findings[0].ruleCode.startsWith("online")
        ? "online_hours"
        : findings[0].ruleCode;
  const path = rng.next();
  const steps: CaseSeed["steps"] = [];
  if (path > 0.25) steps.push({ code: "investigate", day: rng.int(1, 6) });
  if (path > 0.5) {
    const by = new Date(now.getTime() + (rng.int(-40, 40) - 0) * DAY).toISOString().slice(0, 10);
    steps.push({
      code: "order",
      day: rng.int(7, 20),
      fields: { measures: "限期退还超期预收费用，规范收费行为", rectifyBy: by },
    });
  }
  if (path > 0.8) steps.push({ code: "verify", day: rng.int(25, 60) });
  return {
    kind: trainingCaseKind,
    title: `${inst.name}：${findings.map((f) => f.detail).join("；")}`.slice(0, 100),
    orgUnitId: county.id,
    orgPath: county.path,
    countyCode: county.code,
    category: (
      ["academic_rest_day", "online_hours", "prepay", "prepay_account", "unlicensed"] as string[]
    ).includes(category)
      ? category
      : "other",
    source,
    data: {
      institutionId: inst.id,
      institutionName: inst.name,
      description: findings.map((f) => f.detail).join("\n"),
    },
    createdAt: new Date(now.getTime() - daysAgo * DAY),
    steps: steps.filter((s) => s.day <= daysAgo && s.code !== "verify"),
    actor: "县教育局执法人员",
  };
}

/**
 * Writes the cases as the engine would have: the state after their steps, the deadline the last
 * step set, overdue and escalation where the deadline has passed, one timeline event per step.
 */
async function insertCases(tx: Kysely<DB>, seeds: CaseSeed[], now: Date): Promise<number[]> {
  if (!seeds.length) return [];
  const rows = seeds.map((s) => {
    let state = s.kind.create.state;
    let due: Date | null =
      s.kind.create.deadline && "days" in s.kind.create.deadline
        ? new Date(s.createdAt.getTime() + s.kind.create.deadline.days * DAY)
        : null;
    let at = s.createdAt;
    for (const step of s.steps) {
      const t = s.kind.transitions.find((x) => x.code === step.code)!;
      state = t.to;
      at = new Date(s.createdAt.getTime() + step.day * DAY);
      const rule = t.deadline;
      if (s.kind.states[state]?.final) due = null;
      else if (rule && "days" in rule) due = new Date(at.getTime() + rule.days * DAY);
      else if (rule && "field" in rule) due = new Date(`${String(step.fields?.[rule.field])}T23:59:59+08:00`);
    }
    const final = s.kind.states[state]?.final === true;
    const late = !final && s.kind.states[state]?.clockRuns && due !== null && due < now;
    const overdueDays = late ? (now.getTime() - due!.getTime()) / DAY : 0;
    const level = late ? s.kind.escalation.filter((e) => overdueDays >= e.afterDays).length : 0;
    return {
      kind: s.kind.code,
      title: s.title,
      org_unit_id: s.orgUnitId,
      org_path: s.orgPath,
      county_code: s.countyCode,
      state,
      category: s.category,
      source: s.source,
      reporter_name: s.kind.code === "report" || s.source === "public_complaint" ? "网上举报" : s.actor,
      due_at: due,
      overdue_since: late ? due : null,
      escalation_level: level,
      escalated_at: level > 0 ? due : null,
      closed_at: final ? at : null,
      data: JSON.stringify(s.data),
      created_at: s.createdAt,
      updated_at: at,
    };
  });
  const ids = (await tx.insertInto("case_record").values(rows).returning("id").execute()).map((r) => r.id);
  const events = seeds.flatMap((s, i) => {
    let state = s.kind.create.state;
    const out = [
      {
        case_id: ids[i],
        at: s.createdAt,
        step: "create",
        from_state: null as string | null,
        to_state: state,
        actor_type: s.source.startsWith("online") || s.source === "public_complaint" ? "public" : "user",
        actor_name: s.source.startsWith("online") || s.source === "public_complaint" ? "网上举报" : s.actor,
        comment: null as string | null,
        data: JSON.stringify({ title: s.title, category: s.category, source: s.source, ...s.data }),
        attachments: "[]",
      },
    ];
    for (const step of s.steps) {
      const t = s.kind.transitions.find((x) => x.code === step.code)!;
      out.push({
        case_id: ids[i],
        at: new Date(s.createdAt.getTime() + step.day * DAY),
        step: step.code,
        from_state: state,
        to_state: t.to,
        actor_type: "user",
        actor_name: s.actor,
        comment: step.comment ?? null,
        data: step.fields ? JSON.stringify(step.fields) : "null",
        attachments: "[]",
      });
      state = t.to;
    }
    return out;
  });
  for (let i = 0; i < events.length; i += 500)
    await tx
      .insertInto("case_event")
      .values(events.slice(i, i + 500).map((e) => ({ ...e, data: e.data === "null" ? null : e.data })))
      .execute();
  return ids;
}
