import { describe, expect, it } from "vitest";
import { reportKind } from "../../reports/kind.js";
import { trainingCaseKind } from "../../training/kind.js";
import { type CaseKindDefinition, stepLabel, systemSteps } from "../engine/kind.js";
import { presentEvent } from "../presenters.js";
import type { EventRow } from "../repository.js";
import { CaseService } from "../service.js";
import { caseKinds, registerCaseKind } from "./index.js";

// The four kinds the app registers: 隐患 and 督导 here, 监督举报 and 校外培训 by reports/compose.ts.
registerCaseKind(reportKind);
registerCaseKind(trainingCaseKind);

/** Chinese for the UI: at least one Han character and nothing that looks like a code. */
const chinese = /^(?=.*\p{Script=Han})[^A-Za-z_]*$/u;

/** Every timeline entry a case of `kind` can carry. */
const timelineSteps = (kind: CaseKindDefinition) => [
  "create",
  ...kind.transitions.map((t) => t.code),
  ...(kind.events ?? []).map((e) => e.code),
  ...Object.keys(systemSteps),
];

const event = (step: string): EventRow => ({
  id: 1,
  case_id: 1,
  at: new Date("2026-01-01T00:00:00Z"),
  step,
  from_state: null,
  to_state: null,
  actor_type: "user",
  actor_id: 1,
  actor_name: "张三",
  comment: null,
  data: null,
  attachments: [],
});

it("the registry holds the four kinds", () => {
  expect(Object.keys(caseKinds).sort()).toEqual(["hazard", "report", "supervision", "training"]);
});

describe.each(Object.values(caseKinds))("kind $code: every label is Chinese", (kind) => {
  it("every timeline step (transitions, filing, the kind's events, system steps) shows a label, never its code", () => {
    for (const step of timelineSteps(kind)) {
      const label = stepLabel(kind, step);
      expect(label, `${kind.code}.${step}`).toMatch(chinese);
      expect(presentEvent(event(step), kind, 1).stepLabel, `${kind.code}.${step}`).toBe(label);
    }
  });

  it("the name, states, choices, form fields and evidence", () => {
    const labels: [string, string | undefined][] = [
      ["name", kind.name],
      ["create", kind.create.label],
      ...Object.entries(kind.states).map(([c, s]): [string, string] => [`state ${c}`, s.label]),
      ...[...(kind.severities ?? []), ...(kind.categories ?? []), ...(kind.sources ?? [])].map(
        (x): [string, string] => [`choice ${x.code}`, x.label],
      ),
      ...Object.entries(kind.create.fieldLabels ?? {}).map(([f, l]): [string, string] => [`field ${f}`, l]),
      ["create evidence", kind.create.evidence?.label ?? "无"],
    ];
    for (const t of kind.transitions) {
      labels.push([`step ${t.code}`, t.label], [`${t.code} evidence`, t.evidence?.label ?? "无"]);
      for (const [f, l] of Object.entries(t.fieldLabels ?? {})) labels.push([`${t.code}.${f}`, l]);
    }
    for (const [what, label] of labels) expect(label, `${kind.code} ${what}`).toMatch(chinese);
  });
});

it("a report's and a complaint's exchange with the reporter is labelled on their timelines", () => {
  expect(stepLabel(reportKind, "ask_reporter")).toBe("向举报人提问");
  expect(stepLabel(reportKind, "reporter_answer")).toBe("举报人答复");
  expect(stepLabel(trainingCaseKind, "ask_reporter")).toBe("向投诉人提问");
  expect(stepLabel(trainingCaseKind, "reporter_answer")).toBe("投诉人答复");
});

it("a step without a label is refused before anything is written", async () => {
  expect(stepLabel(caseKinds.hazard, "ask_reporter")).toBeUndefined();
  expect(stepLabel(caseKinds.hazard, "constructor")).toBeUndefined();
  const service = new CaseService(null as never, null as never, null as never, null);
  const actor = { type: "user" as const, id: 1, name: "a", displayName: "张三" };
  const write = (kind: string, step: string) =>
    service.addEvent(null as never, actor, { id: 1, kind }, step, null, null, null, null, [], new Date());
  await expect(write("hazard", "ask_reporter")).rejects.toThrow(/no label in kind "hazard"/);
  await expect(write("no_such_kind", "create")).rejects.toThrow(/no label/);
});
