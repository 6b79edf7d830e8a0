import { AppError } from "../../shared/errors.js";
import { registerCaseHooks } from "../cases/kinds/hooks.js";

/**
 * The training kind's filing check: the institution must exist and be supervised by the county the
 * case is filed with; its name is kept with the case.
 */
export function registerTrainingHooks() {
  registerCaseHooks("training", {
    async beforeCreate(tx, _actor, { orgUnit, form }) {
      const id = Number(form.institutionId);
      const inst = Number.isSafeInteger(id)
        ? await tx
            .selectFrom("training_institution")
            .select(["id", "name", "county_code"])
            .where("id", "=", id)
            .executeTakeFirst()
        : undefined;
      if (!inst || inst.county_code !== orgUnit.county_code)
        throw new AppError("VALIDATION_FAILED", "培训机构不存在或不属于该县（市、区）", {
          issues: [{ field: "institutionId", message: "培训机构不属于该县（市、区）" }],
        });
      return { data: { institutionName: inst.name } };
    },
  });
}
