import { describe, expect, it } from "vitest";
import { builtinRoles } from "../../access/permissions.js";
import { rectifyDays } from "../kinds/hazard.js";
import { caseKinds } from "../kinds/index.js";
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
};

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
};

const caseAt = (state: string, roles: string[], severity = "major"): CaseFacts => ({
  state,
  orgPath: SCHOOL,
  severity,
  dueAt: null,
  reporterId: 99,
  actorRoles: roles,
});

describe.each(Object.values(caseKinds))(
  "kind $code: every state × step × actor",
  (kind: CaseKindDefinition) => {
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
      const d = decide(kind, caseAt(state, a.roles), step, a.actor, validInput[kind.code][step], now);
      expect(d.ok ? "ok" : d.reason).toBe(expected);
      if (d.ok) {
        expect(d.to).toBe(kind.transitions.find((t) => t.code === step)!.to);
        expect(d.closes).toBe(kind.states[d.to].final === true);
      }
    });

    it("offers exactly the allowed steps as buttons", () => {
      for (const state of Object.keys(kind.states))
        for (const [who, a] of Object.entries(actors)) {
          const offered = availableSteps(kind, caseAt(state, a.roles), a.actor).map((t) => t.code);
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
