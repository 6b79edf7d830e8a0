import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/types.js";
import type { Actor } from "../../shared/actor.js";
import { AppError } from "../../shared/errors.js";
import { parsePeriod } from "../../shared/period.js";
import { recordAudit } from "../audit/record.js";
import { DefinitionRepository } from "./definition-repository.js";
import { elementBody, formBody, roundBody } from "./schemas.js";
import { type FormRule, ruleDefinitionIssues } from "./validation.js";

/**
 * A form pack: data elements and forms with their reporting rounds, as one JSON file, so that a
 * bureau loads its census definitions as data (packs/lvliang/census-forms.json is Lüliang's).
 */
export const formPack = z.object({
  description: z.string().optional(),
  elements: z.array(elementBody),
  forms: z.array(formBody.extend({ rounds: z.array(roundBody).default([]) })),
});
export type FormPack = z.infer<typeof formPack>;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const CENSUS_PACK = path.join(root, "packs/lvliang/census-forms.json");

export function readFormPack(file: string): FormPack {
  const parsed = formPack.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success)
    throw new AppError(
      "VALIDATION_FAILED",
      `报表定义文件 ${path.basename(file)} 有误：${parsed.error.message}`,
    );
  return parsed.data;
}

/**
 * Installs a pack's elements and forms that do not exist yet (existing ones are left as they are:
 * definitions once in use are changed through the API, audited), and opens its rounds. Runs on the
 * caller's transaction; writes one audit row per definition.
 */
export async function installFormPack(db: Kysely<DB>, pack: FormPack, actor: Actor): Promise<void> {
  const repo = new DefinitionRepository(db);
  for (const e of pack.elements) {
    if (await repo.element(e.code)) continue;
    await repo.insertElement({
      code: e.code,
      name: e.name,
      valueType: e.valueType,
      unit: e.unit ?? null,
      options: e.options,
      disaggregation: e.disaggregation,
      description: e.description ?? null,
    });
    await recordAudit(db, actor, { action: "create", entity: "data_element", entityKey: e.code, after: e });
  }
  for (const f of pack.forms) {
    let def = await repo.form(f.code);
    if (!def) {
      const els = new Map((await repo.elementsByCode(f.elements.map((e) => e.code))).map((e) => [e.code, e]));
      const missing = f.elements.filter((e) => !els.has(e.code)).map((e) => e.code);
      const ruleIssues = ruleDefinitionIssues(f.rules as FormRule[], els);
      if (missing.length || ruleIssues.length)
        throw new AppError(
          "VALIDATION_FAILED",
          `报表 ${f.code}：${[...missing.map((m) => `数据项“${m}”不存在`), ...ruleIssues.map((i) => i.message)].join("；")}`,
        );
      const id = await repo.insertForm({
        code: f.code,
        name: f.name,
        description: f.description ?? null,
        periodType: f.periodType,
        reporterTypes: f.reporterTypes,
        rules: f.rules as FormRule[],
      });
      await repo.setFormElements(
        id,
        f.elements.map((e) => ({
          elementId: els.get(e.code)!.id,
          section: e.section ?? null,
          required: e.required,
        })),
      );
      const { rounds: _r, ...after } = f;
      await recordAudit(db, actor, { action: "create", entity: "form", entityKey: f.code, after });
      def = (await repo.form(f.code))!;
    }
    for (const r of f.rounds) {
      if (def.rounds.some((x) => x.periodCode === r.periodCode)) continue;
      if (parsePeriod(r.periodCode).type !== def.periodType)
        throw new AppError("VALIDATION_FAILED", `报表 ${f.code}：统计期 ${r.periodCode} 与报告期类型不符`);
      await repo.upsertRound(def.id, r, actor.name);
      await recordAudit(db, actor, {
        action: "create",
        entity: "form_period",
        entityKey: `${f.code}/${r.periodCode}`,
        after: r,
      });
    }
  }
}
