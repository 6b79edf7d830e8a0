import { describe, expect, it } from "vitest";
import { builtinRoles } from "../../access/permissions.js";
import { reportKind } from "../../reports/kind.js";
import { trainingCaseKind } from "../../training/kind.js";
import { rectifyDays } from "../kinds/hazard.js";
import { caseKinds, registerCaseKind } from "../kinds/index.js";
import { DAY_MS, endOfChinaDay, sweepDecision } from "./deadline.js";
import type { CaseKindDefinition } from "./kind.js";
import {
  type ActorFacts,
  availableSteps,
  type CaseFacts,
  decide,
  decideCreate,
  type StepInput,
} from "./transition.js";

// The four kinds the app registers: 隐患 and 督导 here, 监督举报 and 校外培训 by reports/compose.ts.
registerCaseKind(reportKind);
registerCaseKind(trainingCaseKind);

const SCHOOL = "/141100/141102/1411020001/";
const COUNTY = "/141100/141102/";
const now = new Date("2022-05-10T02:00:00Z");

const perms = (role: string) => new Set(builtinRoles.find((r) => r.code === role)!.permissions as string[]);
type Who = { actor: ActorFacts; roles: string[] };
const actors: Record<string, Who> = {
  school: { actor: { id: 1, permissions: perms("school_admin"), scopePaths: [SCHOOL] }, roles: [] },
  teacher: { actor: { id: 2, permissions: perms("teacher"), scopePaths: [SCHOOL] }, roles: [] },
  otherSchool: {
    actor: { id: 3, permissions: perms("school_admin"), scopePaths: ["/141100/141102/1411020002/"] },
    roles: [],
  },
  county: { actor: { id: 4, permissions: perms("county_admin"), scopePaths: [COUNTY] }, roles: [] },
  otherCounty: {
    actor: { id: 5, permissions: perms("county_admin"), scopePaths: ["/141100/141181/"] },
    roles: [],
  },
  city: { actor: { id: 6, permissions: perms("city_staff"), scopePaths: ["/141100/"] }, roles: [] },
  leader: { actor: { id: 7, permissions: perms("leader"), scopePaths: ["/141100/"] }, roles: [] },
  inspector: {
    actor: { id: 8, permissions: perms("inspector"), scopePaths: ["/141100/"] },
    roles: ["assigned"],
  },
  unassignedInspector: {
    actor: { id: 9, permissions: perms("inspector"), scopePaths: ["/141100/"] },
    roles: [],
  },
  // 纪检 of the county and of the city: they alone handle reports, and nothing else here
  discipline: { actor: { id: 10, permissions: perms("discipline"), scopePaths: [COUNTY] }, roles: [] },
  cityDiscipline: {
    actor: { id: 11, permissions: perms("discipline"), scopePaths: ["/141100/"] },
    roles: [],
  },
};

/** Where each kind's case is: a 校外培训 case concerns the county (training/kind.ts), the others a school. */
const orgPathOf: Record<string, string> = { training: COUNTY };

/** Who may take each step of a case at SCHOOL: the policy, written out independently of the kinds. */
const policy: Record<string, Record<string, string[]>> = {
  hazard: {
    assign: ["county", "city"],
    dismiss: ["county", "city"],
    accept: ["school"],
    submit: ["school"],
    verify: ["county", "city"],
    return: ["county", "city"],
  },
  supervision: {
    notify: ["inspector", "county", "city"],
    drop: ["inspector", "county", "city"],
    report: ["school"],
    approve: ["inspector", "county", "city"],
    reject: ["inspector", "county", "city"],
    hold_accountable: ["county", "city"],
  },
  // 监督举报: 纪检 only (reports.handle), never the county bureau or the school it is about
  report: {
    accept: ["discipline", "cityDiscipline"],
    reject: ["discipline", "cityDiscipline"],
    uphold: ["discipline", "cityDiscipline"],
    dismiss_unfounded: ["discipline", "cityDiscipline"],
  },
  // 校外培训 (a case at the county): the county bureau itself and the city (training.enforce)
  training: {
    investigate: ["county", "city"],
    dismiss: ["county", "city"],
    order: ["county", "city"],
    penalise: ["county", "city"],
    verify: ["county", "city"],
    no_violation: ["county", "city"],
  },
};

/** A complete, valid input for each step (so only the state and the actor decide). */
const validInput: Record<string, Record<string, StepInput>> = {
  hazard: {
    assign: {},
    dismiss: { comment: "不属于隐患" },
    accept: {},
    submit: { fields: { measures: "更换灭火器" }, attachmentCount: 1 },
    verify: {},
    return: { comment: "照片不清楚" },
  },
  supervision: {
    notify: { fields: { dueDate: "2022-06-30", requirements: "补齐台账" } },
    drop: { comment: "核实不属实" },
    report: { fields: { report: "已整改" } },
    approve: {},
    reject: { fields: { dueDate: "2022-07-15" }, comment: "未整改到位" },
    hold_accountable: {
      fields: { subjectType: "unit", subjectName: "某校", measure: "unit_interview", basis: "逾期未整改" },
    },
  },
  report: {
    accept: {},
    reject: { fields: { reply: "不属于受理范围" }, comment: "匿名且无具体事实" },
    uphold: { fields: { finding: "有偿补课属实", measure: "通报批评", reply: "经查属实，已处理" } },
    dismiss_unfounded: { fields: { reply: "经查无实据" }, comment: "走访核实" },
  },
  training: {
    investigate: {},
    dismiss: { comment: "不属于校外培训" },
    order: { fields: { measures: "停止周末学科类培训", rectifyBy: "2022-06-30" } },
    penalise: { fields: { penalty: "罚款五万元", decisionNo: "离教罚〔2022〕1号" }, attachmentCount: 1 },
    verify: { attachmentCount: 1 },
    no_violation: { comment: "复查未发现违规" },
  },
};

const caseAt = (state: string, roles: string[], severity = "major", orgPath = SCHOOL): CaseFacts => ({
  state,
  orgPath,
  severity,
  dueAt: null,
  reporterId: 99,
  actorRoles: roles,
});

it("the table covers every registered kind: 隐患, 督导, 监督举报, 校外培训", () => {
  expect(Object.keys(caseKinds).sort()).toEqual(["hazard", "report", "supervision", "training"]);
  expect(Object.keys(policy).sort()).toEqual(Object.keys(caseKinds).sort());
});

describe.each(Object.values(caseKinds))(
  "kind $code: every state × step × actor",
  (kind: CaseKindDefinition) => {
    const at = (state: string, roles: string[]) => caseAt(state, roles, "major", orgPathOf[kind.code]);
    it("has a policy row and a valid input for every step, and sane states", () => {
      expect(Object.keys(policy[kind.code]).sort()).toEqual(kind.transitions.map((t) => t.code).sort());
      for (const t of kind.transitions) {
        expect(kind.states[t.to], `${t.code} → ${t.to}`).toBeDefined();
        for (const f of t.from) expect(kind.states[f], `${t.code} from ${f}`).toBeDefined();
      }
      expect(kind.states[kind.create.state]).toBeDefined();
    });

    const rows: [string, string, string, string][] = [];
    for (const state of Object.keys(kind.states))
      for (const t of kind.transitions)
        for (const who of Object.keys(actors)) {
          const expected = !t.from.includes(state)
            ? "wrong_state"
            : policy[kind.code][t.code].includes(who)
              ? "ok"
              : "not_allowed";
          rows.push([state, t.code, who, expected]);
        }

    it.each(rows)("in %s, %s by %s → %s", (state, step, who, expected) => {
      const a = actors[who];
      const d = decide(kind, at(state, a.roles), step, a.actor, validInput[kind.code][step], now);
      expect(d.ok ? "ok" : d.reason).toBe(expected);
      if (d.ok) {
        expect(d.to).toBe(kind.transitions.find((t) => t.code === step)!.to);
        expect(d.closes).toBe(kind.states[d.to].final === true);
      }
    });

    it("offers exactly the allowed steps as buttons", () => {
      for (const state of Object.keys(kind.states))
        for (const [who, a] of Object.entries(actors)) {
          const offered = availableSteps(kind, at(state, a.roles), a.actor).map((t) => t.code);
          const expected = kind.transitions
            .filter((t) => t.from.includes(state) && policy[kind.code][t.code].includes(who))
            .map((t) => t.code);
          expect(offered, `${state} / ${who}`).toEqual(expected);
        }
    });

    it("final states have no way out", () => {
      for (const [code, s] of Object.entries(kind.states))
        if (s.final) expect(kind.transitions.filter((t) => t.from.includes(code))).toEqual([]);
    });
  },
);

describe("step input", () => {
  const hazard = caseKinds.hazard;
  it("refuses a rectification without a photo, and names the field", () => {
    const d = decide(
      hazard,
      caseAt("rectifying", []),
      "submit",
      actors.school.actor,
      { fields: { measures: "x" } },
      now,
    );
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.reason).toBe("invalid");
      expect(d.issues?.map((i) => i.field)).toEqual(["attachments"]);
    }
  });
  it("refuses a send-back without a reason", () => {
    const d = decide(hazard, caseAt("submitted", []), "return", actors.county.actor, { comment: "  " }, now);
    expect(!d.ok && d.issues?.[0].field).toBe("comment");
  });
  it("refuses an unknown step", () => {
    const d = decide(hazard, caseAt("reported", []), "close_everything", actors.city.actor, {}, now);
    expect(!d.ok && d.reason).toBe("unknown_step");
  });
  it("says which state a skipped step needs", () => {
    const d = decide(hazard, caseAt("reported", []), "verify", actors.county.actor, {}, now);
    expect(!d.ok && d.message).toContain("待验收");
  });
  it("a report is concluded only after it is taken up: 纪检 cannot skip 调查核实", () => {
    const input = validInput.report.uphold;
    const d = decide(reportKind, caseAt("received", []), "uphold", actors.discipline.actor, input, now);
    expect(!d.ok && d.reason).toBe("wrong_state");
    expect(!d.ok && d.message).toContain("调查核实");
  });
  it("a training case is closed as rectified only after an order: no skipping 责令整改", () => {
    const c = caseAt("investigating", [], "major", COUNTY);
    const d = decide(trainingCaseKind, c, "verify", actors.county.actor, validInput.training.verify, now);
    expect(!d.ok && d.reason).toBe("wrong_state");
    expect(!d.ok && d.message).toContain("责令整改");
  });
  it("the county bureau may not handle a report about its school, nor a school a training case", () => {
    const r = decide(reportKind, caseAt("received", []), "accept", actors.county.actor, {}, now);
    expect(!r.ok && r.reason).toBe("not_allowed");
    const c = caseAt("filed", [], "major", COUNTY);
    const t = decide(trainingCaseKind, c, "investigate", actors.school.actor, {}, now);
    expect(!t.ok && t.reason).toBe("not_allowed");
  });
});

describe("deadlines", () => {
  const hazard = caseKinds.hazard;
  it.each(Object.entries(rectifyDays))(
    "a %s hazard is due %d days after it is assigned",
    (severity, days) => {
      const d = decide(hazard, caseAt("reported", [], severity), "assign", actors.county.actor, {}, now);
      expect(d.ok && d.dueAt?.getTime()).toBe(now.getTime() + days * DAY_MS);
    },
  );
  it("keeps the deadline when a rectification is sent back, clears it when verified", () => {
    const due = new Date("2022-05-20T00:00:00Z");
    const c = { ...caseAt("submitted", []), dueAt: due };
    const back = decide(hazard, c, "return", actors.county.actor, { comment: "再改" }, now);
    expect(back.ok && back.dueAt).toEqual(due);
    const done = decide(hazard, c, "verify", actors.county.actor, {}, now);
    expect(done.ok && done.dueAt).toBeNull();
  });
  it("a rectification notice is due at the end of its date in China", () => {
    const d = decide(
      caseKinds.supervision,
      caseAt("found", ["assigned"]),
      "notify",
      actors.inspector.actor,
      validInput.supervision.notify,
      now,
    );
    expect(d.ok && d.dueAt?.toISOString()).toBe("2022-06-30T15:59:59.999Z");
    expect(endOfChinaDay("2022-06-30").toISOString()).toBe("2022-06-30T15:59:59.999Z");
  });
});

describe("escalation with a moving clock", () => {
  const kind = caseKinds.hazard;
  const due = new Date("2022-06-01T00:00:00Z");
  const at = (days: number) => new Date(due.getTime() + days * DAY_MS);
  const base = { state: "rectifying", orgPath: SCHOOL, dueAt: due, overdueSince: null, escalationLevel: 0 };

  it("nothing before the deadline", () => {
    expect(sweepDecision(kind, base, at(-1))).toEqual({
      becameOverdue: false,
      clearOverdue: false,
      escalateTo: null,
    });
  });
  it("overdue and to the county just after it, to the city a week later, then nothing new", () => {
    expect(sweepDecision(kind, base, at(0.01))).toEqual({
      becameOverdue: true,
      clearOverdue: false,
      escalateTo: 1,
    });
    const marked = { ...base, overdueSince: at(0.01), escalationLevel: 1 };
    expect(sweepDecision(kind, marked, at(6.9)).escalateTo).toBeNull();
    expect(sweepDecision(kind, marked, at(7))).toEqual({
      becameOverdue: false,
      clearOverdue: false,
      escalateTo: 2,
    });
    expect(sweepDecision(kind, { ...marked, escalationLevel: 2 }, at(30)).escalateTo).toBeNull();
  });
  it("a sweep that missed a week goes straight to the city", () => {
    expect(sweepDecision(kind, base, at(9)).escalateTo).toBe(2);
  });
  it("the clock stops while the county verifies, and the marker clears", () => {
    const waiting = { ...base, state: "submitted", overdueSince: at(1), escalationLevel: 1 };
    expect(sweepDecision(kind, waiting, at(3))).toEqual({
      becameOverdue: false,
      clearOverdue: true,
      escalateTo: null,
    });
  });
  it("a case about a county skips the county and goes to the city", () => {
    const c = { ...base, state: "notified", orgPath: COUNTY };
    expect(sweepDecision(caseKinds.supervision, c, at(1)).escalateTo).toBeNull();
    expect(sweepDecision(caseKinds.supervision, c, at(7)).escalateTo).toBe(2);
  });
});

describe("filing", () => {
  const hazard = caseKinds.hazard;
  const form = (source: string) => ({
    fields: {
      title: "灭火器过期",
      category: "fire",
      severity: "major",
      source,
      description: "三楼灭火器过期",
    },
  });
  it("a school files its own self-check, a county its inspection, the city its spot check", () => {
    expect(decideCreate(hazard, SCHOOL, "school", actors.school.actor, form("self_check"), now).ok).toBe(
      true,
    );
    expect(decideCreate(hazard, SCHOOL, "school", actors.teacher.actor, form("self_check"), now).ok).toBe(
      true,
    );
    expect(
      decideCreate(hazard, SCHOOL, "school", actors.county.actor, form("county_inspection"), now).ok,
    ).toBe(true);
    expect(decideCreate(hazard, SCHOOL, "school", actors.city.actor, form("city_spot_check"), now).ok).toBe(
      true,
    );
    const wrong = decideCreate(hazard, SCHOOL, "school", actors.school.actor, form("city_spot_check"), now);
    expect(!wrong.ok && wrong.issues?.[0].field).toBe("source");
  });
  it("nobody files about a school outside their scope; leaders file nothing", () => {
    for (const who of ["otherSchool", "otherCounty", "leader", "unassignedInspector"]) {
      const d = decideCreate(hazard, SCHOOL, "school", actors[who].actor, form("county_inspection"), now);
      expect(!d.ok && d.reason, who).toBe("not_allowed");
    }
  });
  it("only an assigned inspector or a reviewer records a finding", () => {
    const finding = {
      fields: {
        title: "台账不全",
        targetId: 3,
        category: "governance",
        severity: "ordinary",
        description: "缺",
      },
    };
    const k = caseKinds.supervision;
    expect(decideCreate(k, SCHOOL, "school", actors.inspector.actor, finding, now, ["assigned"]).ok).toBe(
      true,
    );
    expect(decideCreate(k, SCHOOL, "school", actors.unassignedInspector.actor, finding, now).ok).toBe(false);
    expect(decideCreate(k, SCHOOL, "school", actors.county.actor, finding, now).ok).toBe(true);
    expect(decideCreate(k, SCHOOL, "school", actors.school.actor, finding, now).ok).toBe(false);
  });
  it("refuses a hazard about a county, and a form with missing fields naming each", () => {
    expect(decideCreate(hazard, COUNTY, "county", actors.city.actor, form("city_spot_check"), now).ok).toBe(
      false,
    );
    const d = decideCreate(hazard, SCHOOL, "school", actors.school.actor, { fields: { title: "x" } }, now);
    expect(!d.ok && d.issues?.map((i) => i.field).sort()).toEqual([
      "category",
      "description",
      "severity",
      "source",
    ]);
  });
});
