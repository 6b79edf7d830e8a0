import type { Logger } from "pino";
import type { BulkTx, Database } from "../../db/connect.js";
import { markDemoExtra } from "../../demo/extras.js";
import { Random } from "../../demo/random.js";
import { systemActor } from "../../shared/actor.js";
import { AppError } from "../../shared/errors.js";
import { createUser } from "../access/users.js";
import { DAY_MS, endOfChinaDay } from "./engine/deadline.js";
import { hazardCategories, rectifyDays } from "./kinds/hazard.js";
import { findingCategories } from "./kinds/supervision.js";

/**
 * Demo cases for the demo city (entry "cases.demo" of src/demo/extras.ts): some 2,300 hazards and
 * 350 supervision findings across the city, open, overdue (escalated to the county or the city) and
 * closed, with their timelines; three city supervision plans with targets and inspectors; and a
 * two rounds of county 平安校园 inspections (spring 2022 and the school year 2022–2023). Dates of cases
 * are relative to the day the demo is loaded, so "overdue" means overdue today. Deterministic
 * (seeded), one transaction, COPY.
 */

export const DEMO_INSPECTOR = "duxue";
const DEMO_PASSWORD = "demo1234";
/** The demo accounts' 督学 (src/demo/accounts.ts); created here too when loaded on their own (tests). */
const inspectors = [
  { username: DEMO_INSPECTOR, displayName: "市督学 王明" },
  { username: "duxue2", displayName: "市督学 李芳" },
];

interface School {
  id: number;
  code: string;
  name: string;
  path: string;
  county_code: string;
}

const hazardTitles: Record<string, string[]> = {
  fire: ["灭火器过期", "消防通道堆放杂物", "应急照明损坏", "消防栓水压不足", "宿舍私拉电线"],
  food: ["食堂留样记录不全", "食材索证索票不全", "从业人员健康证过期", "餐具消毒设施损坏"],
  building: ["教学楼外墙瓷砖脱落", "围墙局部开裂", "楼梯扶手松动", "厕所地面湿滑无防滑措施"],
  traffic: ["校门口缺少减速带", "接送车辆违规停放", "校车安全带损坏"],
  surroundings: ["校园周边有流动摊贩", "校门附近网吧接纳未成年人", "周边施工围挡缺失"],
  bullying: ["学生欺凌事件处置不及时", "防欺凌排查记录缺失"],
  mental: ["心理咨询室未按时开放", "重点学生心理档案不全"],
  security: ["监控摄像头离线", "一键报警装置故障", "门卫登记不规范", "防冲撞设施缺失"],
  other: ["实验室危化品台账不全", "体育器材老化"],
};
const categoryWeights = [18, 12, 14, 10, 8, 5, 5, 22, 6];

const iso = (ms: number) => new Date(ms).toISOString();
const dateOf = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const pickWeighted = <T>(r: Random, items: readonly T[], weights: number[]) => {
  let x = r.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < items.length; i++) {
    x -= weights[i];
    if (x < 0) return items[i];
  }
  return items[items.length - 1];
};

/** Creates the demo inspectors that do not exist yet (outside the bulk transaction: argon2, audited). */
async function ensureInspectors(database: Database) {
  const existing = await database.db
    .selectFrom("app_user")
    .select(["id", "username"])
    .where(
      "username",
      "in",
      inspectors.map((i) => i.username),
    )
    .execute();
  const have = new Set(existing.map((u) => u.username));
  for (const i of inspectors)
    if (!have.has(i.username))
      try {
        await createUser(database.db, systemActor(), {
          ...i,
          password: DEMO_PASSWORD,
          roles: ["inspector"],
          scopeCodes: ["141100"],
        });
      } catch (e) {
        if (!(e instanceof AppError && e.code === "CONFLICT")) throw e;
      }
  const rows = await database.db
    .selectFrom("app_user")
    .select(["id", "username", "display_name"])
    .where(
      "username",
      "in",
      inspectors.map((i) => i.username),
    )
    .orderBy("username")
    .execute();
  return rows;
}

class Rows {
  cases: (string | null)[][] = [];
  events: (string | null)[][] = [];
  participants: (string | null)[][] = [];
  accountability: (string | null)[][] = [];
  caseId = 0;

  event(
    caseId: number,
    at: number,
    step: string,
    from: string | null,
    to: string | null,
    actor: string,
    comment: string | null,
    data: unknown = null,
  ) {
    this.events.push([
      String(caseId),
      iso(at),
      step,
      from,
      to,
      actor === "系统" ? "system" : "user",
      null,
      actor,
      comment,
      data === null ? null : JSON.stringify(data),
      "[]",
    ]);
  }
}

const caseColumns = [
  "id",
  "kind",
  "title",
  "org_unit_id",
  "org_path",
  "county_code",
  "state",
  "severity",
  "category",
  "source",
  "reporter_id",
  "reporter_name",
  "due_at",
  "overdue_since",
  "escalation_level",
  "escalated_at",
  "closed_at",
  "data",
  "created_at",
  "updated_at",
];
const eventColumns = [
  "case_id",
  "at",
  "step",
  "from_state",
  "to_state",
  "actor_type",
  "actor_id",
  "actor_name",
  "comment",
  "data",
  "attachments",
];

/** Overdue marker and escalation of an open case whose clock runs, as the sweep would have left them. */
function lateness(due: number, now: number) {
  if (due >= now) return { overdueSince: null, level: 0 };
  return { overdueSince: due + 60_000, level: now - due >= 7 * DAY_MS ? 2 : 1 };
}

function hazards(rows: Rows, r: Random, schools: School[], countyNames: Map<string, string>, now: number) {
  const severities = ["ordinary", "significant", "major"] as const;
  for (const s of schools) {
    const n = r.int(0, 3);
    for (let k = 0; k < n; k++) {
      const id = ++rows.caseId;
      const category = pickWeighted(
        r,
        hazardCategories.map((c) => c.code),
        categoryWeights,
      );
      const severity = pickWeighted(r, severities, [70, 22, 8]);
      const source = pickWeighted(
        r,
        ["self_check", "county_inspection", "city_spot_check"] as const,
        [60, 30, 10],
      );
      const title = r.pick(hazardTitles[category]);
      const created = now - r.int(1, 150) * DAY_MS - r.int(0, 86_000) * 1000;
      const reporter =
        source === "self_check"
          ? `${s.name}管理员`
          : source === "county_inspection"
            ? `${countyNames.get(s.county_code)}教育局`
            : "市教育局安全稳定科";
      const county = `${countyNames.get(s.county_code)}教育局`;
      const age = (now - created) / DAY_MS;
      // older cases are further along
      const state = pickWeighted(
        r,
        ["reported", "assigned", "rectifying", "submitted", "verified", "dismissed"] as const,
        age < 5 ? [60, 20, 10, 5, 5, 0] : age < 30 ? [8, 14, 26, 14, 36, 2] : [2, 6, 14, 6, 69, 3],
      );
      rows.event(id, created, "create", null, "reported", reporter, null);
      let t = created;
      let due: number | null = null;
      let closed: number | null = null;
      const at = (maxDays: number) => {
        t = Math.min(now - 60_000, t + r.int(1, Math.max(1, maxDays)) * DAY_MS * r.next() + 3600_000);
        return t;
      };
      if (state === "dismissed") {
        closed = at(3);
        rows.event(id, closed, "dismiss", "reported", "dismissed", county, "经核实不属于安全隐患");
      }
      if (state !== "reported" && state !== "dismissed") {
        const assigned = at(3);
        due = assigned + rectifyDays[severity] * DAY_MS;
        rows.event(id, assigned, "assign", "reported", "assigned", county, "请按期整改");
        if (state !== "assigned") {
          rows.event(id, at(2), "accept", "assigned", "rectifying", `${s.name}管理员`, null);
          if (state === "submitted" || state === "verified") {
            if (r.chance(0.15)) {
              rows.event(id, at(10), "submit", "rectifying", "submitted", `${s.name}管理员`, null, {
                measures: "已初步整改",
              });
              rows.event(id, at(3), "return", "submitted", "rectifying", county, "整改不彻底，请补充照片");
            }
            rows.event(id, at(10), "submit", "rectifying", "submitted", `${s.name}管理员`, null, {
              measures: `已完成整改：${title}问题已消除`,
            });
            if (state === "verified") {
              closed = at(5);
              rows.event(id, closed, "verify", "submitted", "verified", county, "现场验收合格，予以销号");
            }
          }
        }
      }
      const runs = state === "assigned" || state === "rectifying";
      const late = runs && due !== null ? lateness(due, now) : { overdueSince: null, level: 0 };
      if (late.overdueSince !== null) {
        rows.event(id, late.overdueSince, "overdue", null, null, "系统", `已超过期限（${dateOf(due!)}）`);
        rows.event(id, late.overdueSince, "escalate", null, null, "系统", "逾期未办，升级至县级督办", {
          level: 1,
        });
        if (late.level === 2)
          rows.event(id, due! + 7 * DAY_MS, "escalate", null, null, "系统", "逾期未办，升级至市级督办", {
            level: 2,
          });
      }
      rows.cases.push([
        String(id),
        "hazard",
        title,
        String(s.id),
        s.path,
        s.county_code,
        state,
        severity,
        category,
        source,
        null,
        reporter,
        due === null || closed !== null ? null : iso(due),
        late.overdueSince === null ? null : iso(late.overdueSince),
        String(late.level),
        late.level ? iso(late.level === 2 ? due! + 7 * DAY_MS : late.overdueSince!) : null,
        closed === null ? null : iso(closed),
        JSON.stringify({
          location: r.pick(["教学楼", "宿舍楼", "食堂", "操场", "校门口", "实验楼"]),
          description: `${title}，需及时整改。`,
        }),
        iso(created),
        iso(Math.max(t, created)),
      ]);
    }
  }
}

export async function loadCasesDemo(database: Database, log: Logger) {
  const t0 = performance.now();
  const lap = (what: string) => log.debug({ what, ms: Math.round(performance.now() - t0) }, "cases.demo");
  const inspectorRows = await ensureInspectors(database);
  lap("inspectors");
  const now = Date.now();
  await database.bulkTransaction(async (tx: BulkTx) => {
    // two processes starting at once: the second waits here, then finds the marker and stops
    await tx.exec(`select pg_advisory_xact_lock(hashtext('demo-extra:cases.demo'))`);
    const done = await tx.db
      .selectFrom("audit_log")
      .select("id")
      .where("action", "=", "seed-demo-extra")
      .where("entity_key", "=", "cases.demo")
      .executeTakeFirst();
    if (done) return;
    const schools = (await tx.db
      .selectFrom("org_unit")
      .select(["id", "code", "name", "path", "county_code"])
      .where("kind", "=", "school")
      .where("valid_to", "is", null)
      .orderBy("path")
      .execute()) as School[];
    const counties = await tx.db
      .selectFrom("org_unit")
      .select(["code", "name"])
      .where("kind", "=", "county")
      .execute();
    const countyNames = new Map(counties.map((c) => [c.code, c.name]));
    const city = await tx.db
      .selectFrom("org_unit")
      .select(["id", "path"])
      .where("kind", "=", "city")
      .executeTakeFirstOrThrow();
    const base = await tx.db
      .selectFrom("case_record")
      .select((eb) => eb.fn.max("id").as("m"))
      .executeTakeFirst();
    const r = Random.derive("lvliang-2022", "cases");
    const rows = new Rows();
    rows.caseId = Number(base?.m ?? 0);
    hazards(rows, r, schools, countyNames, now);
    lap("hazards generated");
    const plans = await supervisionPlans(tx, rows, r, schools, countyNames, inspectorRows, city, now);
    lap("plans");
    await tx.copyRows("case_record", caseColumns, rows.cases);
    lap("case_record copied");
    await tx.copyRows("case_event", eventColumns, rows.events);
    lap("case_event copied");
    await tx.copyRows("case_participant", ["case_id", "user_id", "role"], rows.participants);
    await tx.copyRows(
      "accountability_record",
      [
        "case_id",
        "subject_type",
        "subject_name",
        "measure_code",
        "basis",
        "decided_by_name",
        "decided_at",
        "org_path",
        "county_code",
      ],
      rows.accountability,
    );
    await tx.exec(
      `select setval(pg_get_serial_sequence('case_record', 'id'), (select max(id) from case_record))`,
    );
    const inspections = await safetyInspections(tx, r, schools, countyNames);
    lap("inspections");
    const summary = { cases: rows.cases.length, events: rows.events.length, plans, inspections };
    await markDemoExtra(tx.db, "cases.demo", summary);
    log.info(summary, "demo cases loaded");
  });
}

async function supervisionPlans(
  tx: BulkTx,
  rows: Rows,
  r: Random,
  schools: School[],
  countyNames: Map<string, string>,
  inspectorRows: { id: number; username: string; display_name: string }[],
  city: { id: number; path: string },
  now: number,
) {
  const planDefs = [
    { title: "春季开学校园安全专项督导", type: "special", topic: "校园安全", targets: 60, started: 120 },
    {
      title: "义务教育学校办学行为综合督导",
      type: "comprehensive",
      topic: "规范办学",
      targets: 50,
      started: 75,
    },
    { title: "课后服务“小切口”精准督导", type: "focused", topic: "课后服务", targets: 40, started: 30 },
  ];
  const states = ["found", "notified", "reported", "rectified", "accountable", "dropped"] as const;
  const measures = ["unit_interview", "unit_circular", "person_admonition", "person_criticism"];
  const demoSchool = schools.find((s) => s.code === "1411020001");
  for (const [pi, p] of planDefs.entries()) {
    const starts = now - p.started * DAY_MS;
    const plan = await tx.db
      .insertInto("supervision_plan")
      .values({
        title: p.title,
        plan_type: p.type as "special",
        topic: p.topic,
        description: `${p.topic}督导，覆盖全市 13 个县（市、区）。`,
        starts_on: dateOf(starts),
        ends_on: dateOf(starts + 90 * DAY_MS),
        org_unit_id: city.id,
        org_path: city.path,
        county_code: null,
        created_by_name: "市人民政府教育督导室",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const picked = r.shuffle([...schools]).slice(0, p.targets);
    // the demo inspector's first plan includes 离石区实验小学, the demo school
    if (pi === 0 && demoSchool && !picked.includes(demoSchool)) picked[0] = demoSchool;
    const targetIds = await tx.db
      .insertInto("supervision_target")
      .values(
        picked.map((s) => ({
          plan_id: plan.id,
          org_unit_id: s.id,
          org_path: s.path,
          county_code: s.county_code,
        })),
      )
      .returning(["id", "org_unit_id"])
      .execute();
    const targetOf = new Map(targetIds.map((t) => [t.org_unit_id, t.id]));
    const inspectorOf = (ti: number, s: School) =>
      pi === 0 && s === demoSchool
        ? inspectorRows.find((u) => u.username === DEMO_INSPECTOR)!
        : inspectorRows[ti % inspectorRows.length];
    await tx.db
      .insertInto("supervision_inspector")
      .values(picked.map((s, ti) => ({ target_id: targetOf.get(s.id)!, user_id: inspectorOf(ti, s).id })))
      .execute();
    for (const [ti, s] of picked.entries()) {
      const insp = inspectorOf(ti, s);
      const target = { id: targetOf.get(s.id)! };
      const n = s === demoSchool ? 1 : r.int(0, 5);
      for (let k = 0; k < n; k++) {
        const id = ++rows.caseId;
        const cat = r.pick(findingCategories);
        const created = starts + r.int(1, Math.max(2, p.started - 2)) * DAY_MS;
        const state = s === demoSchool ? "notified" : pickWeighted(r, states, [10, 32, 14, 32, 6, 6]);
        const title = `${cat.label}方面存在问题`;
        const county = `${countyNames.get(s.county_code)}教育局`;
        rows.event(id, created, "create", null, "found", insp.display_name, null);
        let t = created;
        const step = (days: number) => (t = Math.min(now - 60_000, t + r.int(1, days) * DAY_MS));
        let due: number | null = null;
        let closed: number | null = null;
        if (state === "dropped") {
          closed = step(5);
          rows.event(id, closed, "drop", "found", "dropped", insp.display_name, "经复核不属实");
        } else if (state !== "found") {
          const notified = step(5);
          // a notice's deadline is the end of a day in China, as the form sets it
          due = endOfChinaDay(dateOf(notified + r.int(10, 30) * DAY_MS)).getTime();
          rows.event(id, notified, "notify", "found", "notified", insp.display_name, null, {
            dueDate: dateOf(due),
            requirements: `针对${cat.label}问题限期整改，并报送整改报告`,
          });
          if (state === "reported" || state === "rectified") {
            rows.event(id, step(20), "report", "notified", "reported", `${s.name}管理员`, null, {
              report: "已按要求完成整改，整改报告见附件。",
            });
            if (state === "rectified") {
              closed = step(7);
              rows.event(id, closed, "approve", "reported", "rectified", insp.display_name, "复核通过");
            }
          }
          if (state === "accountable") {
            closed = Math.min(now - 60_000, due + r.int(3, 10) * DAY_MS);
            const m = r.pick(measures);
            const person = m.startsWith("person");
            rows.event(id, closed, "hold_accountable", "notified", "accountable", county, null, {
              subjectType: person ? "person" : "unit",
              subjectName: person ? `${s.name}校长` : s.name,
              measure: m,
              basis: "逾期未完成整改，依据《吕梁市教育督导问责实施办法》",
            });
            rows.accountability.push([
              String(id),
              person ? "person" : "unit",
              person ? `${s.name}校长` : s.name,
              m,
              "逾期未完成整改，依据《吕梁市教育督导问责实施办法》",
              county,
              iso(closed),
              s.path,
              s.county_code,
            ]);
          }
        }
        const late =
          state === "notified" && due !== null ? lateness(due, now) : { overdueSince: null, level: 0 };
        if (late.overdueSince !== null) {
          rows.event(id, late.overdueSince, "overdue", null, null, "系统", `已超过期限（${dateOf(due!)}）`);
          rows.event(id, late.overdueSince, "escalate", null, null, "系统", "逾期未办，升级至县级督办", {
            level: 1,
          });
          if (late.level === 2)
            rows.event(id, due! + 7 * DAY_MS, "escalate", null, null, "系统", "逾期未办，升级至市级督办", {
              level: 2,
            });
        }
        rows.participants.push([String(id), String(insp.id), "assigned"]);
        rows.cases.push([
          String(id),
          "supervision",
          title,
          String(s.id),
          s.path,
          s.county_code,
          state,
          r.chance(0.2) ? "major" : "ordinary",
          cat.code,
          null,
          null,
          insp.display_name,
          due === null || closed !== null ? null : iso(due),
          late.overdueSince === null ? null : iso(late.overdueSince),
          String(late.level),
          late.level ? iso(late.level === 2 ? due! + 7 * DAY_MS : late.overdueSince!) : null,
          closed === null ? null : iso(closed),
          JSON.stringify({
            targetId: target.id,
            targetIdLabel: s.name,
            planId: plan.id,
            planTitle: p.title,
            description: `督导发现：${s.name}${cat.label}方面存在问题。`,
          }),
          iso(created),
          iso(Math.max(t, created)),
        ]);
      }
    }
  }
  return planDefs.length;
}

/**
 * Two rounds of county 平安校园 inspections: the spring term of 2021–2022 (March–June 2022; ~85 % of
 * schools, ~85 % of them pass) and the autumn-to-spring round of 2022–2023 (from October 2022; ~90 %,
 * ~90 % pass). The cockpit's calendar-2022 平安校园覆盖率 counts a school by its latest inspection in
 * 2022, so both rounds feed it and it lands below the plan's 90 %, as a believable year would.
 */
async function safetyInspections(tx: BulkTx, r: Random, schools: School[], countyNames: Map<string, string>) {
  const items = await tx.db
    .selectFrom("safety_checklist_item")
    .select(["code", "required"])
    .where("active", "=", true)
    .orderBy("sort")
    .execute();
  const base = await tx.db
    .selectFrom("safety_inspection")
    .select((eb) => eb.fn.max("id").as("m"))
    .executeTakeFirst();
  let id = Number(base?.m ?? 0);
  const inspections: (string | null)[][] = [];
  const results: (string | null)[][] = [];
  const rounds = [
    { period: "2021-2022", start: Date.UTC(2022, 2, 1), days: 110, cover: 0.85, pass: 0.85 },
    { period: "2022-2023", start: Date.UTC(2022, 9, 10), days: 200, cover: 0.9, pass: 0.9 },
  ];
  for (const round of rounds) {
    for (const s of schools) {
      if (!r.chance(round.cover)) continue;
      id++;
      const pass = r.chance(round.pass);
      const failing = pass ? null : r.pick(items.filter((i) => i.required)).code;
      inspections.push([
        String(id),
        String(s.id),
        s.path,
        s.county_code,
        round.period,
        dateOf(round.start + r.int(0, round.days) * DAY_MS),
        "county_inspection",
        null,
        `${countyNames.get(s.county_code)}教育局`,
        pass ? "t" : "f",
        null,
      ]);
      for (const i of items) {
        const ok = i.code !== failing && (i.required || r.chance(0.93));
        results.push([String(id), i.code, ok ? "t" : "f", ok ? null : "现场检查不达标", null]);
      }
    }
  }
  await tx.copyRows(
    "safety_inspection",
    [
      "id",
      "org_unit_id",
      "org_path",
      "county_code",
      "period_code",
      "inspected_on",
      "source",
      "inspector_id",
      "inspector_name",
      "passed",
      "notes",
    ],
    inspections,
  );
  await tx.copyRows(
    "safety_inspection_result",
    ["inspection_id", "item_code", "passed", "note", "hazard_case_id"],
    results,
  );
  await tx.exec(
    `select setval(pg_get_serial_sequence('safety_inspection', 'id'), greatest(1, (select max(id) from safety_inspection)))`,
  );
  return inspections.length;
}
