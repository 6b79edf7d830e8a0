/**
 * The inspection rules engine for off-campus training (校外培训). Pure: the institution, what the
 * inspectors observed and the rules (thresholds from the table training_rule, migration 0052, each
 * citing its source) in; the findings out. No I/O.
 *
 * Sources of the rules (the values live in the data, not here):
 * - 中共中央办公厅、国务院办公厅《关于进一步减轻义务教育阶段学生作业负担和校外培训负担的意见》(2021-07),
 *   第（十二）条: no 学科类 training on statutory holidays, rest days or in the winter and summer
 *   vacations; online sessions at most 30 minutes each, at least 10 minutes apart, ending by 21:00.
 * - 《国务院办公厅关于规范校外培训机构发展的意见》(国办发〔2018〕80号) and 教育部办公厅等六部门《关于加强
 *   校外培训机构预收费监管工作的通知》(2021): no fee collected in advance for more than 3 months or
 *   60 课时; prepaid fees go into the institution's supervised account.
 * - 《中华人民共和国民办教育促进法》: no operation without a licence (办学许可证).
 */

export type RuleCode =
  | "academic_rest_day"
  | "online_session_minutes"
  | "online_break_minutes"
  | "online_end_hour"
  | "prepay_months"
  | "prepay_hours"
  | "prepay_account"
  | "unlicensed";

export interface TrainingRule {
  code: RuleCode;
  label: string;
  /** The threshold; null for yes/no rules. */
  value: number | null;
  unit: string | null;
  appliesTo: "academic" | "non_academic" | "all";
  basis: string;
}

export interface InstitutionFacts {
  category: "academic" | "non_academic";
  licenceNo: string | null;
  /** YYYY-MM-DD */
  licenceValidTo: string | null;
}

/** What the inspectors saw. Every field is optional: only what was checked is judged. */
export interface Observations {
  /** A 学科类 class held on a statutory holiday, rest day or in the vacations (date YYYY-MM-DD). */
  restDayClassOn?: string | null;
  onlineSessionMinutes?: number | null;
  onlineBreakMinutes?: number | null;
  /** When the last online session ended, "HH:MM" (24 h). */
  onlineEndTime?: string | null;
  /** The longest span of fees collected in advance, in months. */
  prepaidMonths?: number | null;
  /** The most 课时 paid for in advance. */
  prepaidHours?: number | null;
  /** Fees collected in advance went outside the supervised account. */
  prepayOutsideAccount?: boolean | null;
  /** Operating without a licence (also found when the institution has none or it has expired). */
  unlicensed?: boolean | null;
}

export interface Finding {
  ruleCode: RuleCode;
  measured: number | null;
  detail: string;
}

const applies = (rule: TrainingRule, category: InstitutionFacts["category"]) =>
  rule.appliesTo === "all" || rule.appliesTo === category;

const minutesOf = (hhmm: string) => {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/** The findings of one inspection on `inspectedOn` (YYYY-MM-DD), in rule order. */
export function evaluateInspection(
  institution: InstitutionFacts,
  obs: Observations,
  rules: readonly TrainingRule[],
  inspectedOn: string,
): Finding[] {
  const out: Finding[] = [];
  for (const rule of rules) {
    if (!applies(rule, institution.category)) continue;
    const limit = rule.value;
    const finding = (measured: number | null, detail: string) =>
      out.push({ ruleCode: rule.code, measured, detail });
    switch (rule.code) {
      case "academic_rest_day":
        if (obs.restDayClassOn) finding(null, `${obs.restDayClassOn} 在休息日、节假日或寒暑假开展学科类培训`);
        break;
      case "online_session_minutes":
        if (limit !== null && obs.onlineSessionMinutes != null && obs.onlineSessionMinutes > limit)
          finding(
            obs.onlineSessionMinutes,
            `线上每课时 ${obs.onlineSessionMinutes} 分钟，超过 ${limit} 分钟`,
          );
        break;
      case "online_break_minutes":
        if (limit !== null && obs.onlineBreakMinutes != null && obs.onlineBreakMinutes < limit)
          finding(obs.onlineBreakMinutes, `线上课程间隔 ${obs.onlineBreakMinutes} 分钟，少于 ${limit} 分钟`);
        break;
      case "online_end_hour": {
        const end = obs.onlineEndTime ? minutesOf(obs.onlineEndTime) : null;
        if (limit !== null && end !== null && end > limit * 60)
          finding(end / 60, `线上培训 ${obs.onlineEndTime} 结束，晚于 ${limit} 点`);
        break;
      }
      case "prepay_months":
        if (limit !== null && obs.prepaidMonths != null && obs.prepaidMonths > limit)
          finding(obs.prepaidMonths, `一次性预收 ${obs.prepaidMonths} 个月费用，超过 ${limit} 个月`);
        break;
      case "prepay_hours":
        if (limit !== null && obs.prepaidHours != null && obs.prepaidHours > limit)
          finding(obs.prepaidHours, `一次性预收 ${obs.prepaidHours} 课时费用，超过 ${limit} 课时`);
        break;
      case "prepay_account":
        if (obs.prepayOutsideAccount) finding(null, "预收费未全部进入监管账户");
        break;
      case "unlicensed": {
        const expired = institution.licenceValidTo !== null && institution.licenceValidTo < inspectedOn;
        if (obs.unlicensed || !institution.licenceNo) finding(null, "无办学许可证开展培训");
        else if (expired) finding(null, `办学许可证已于 ${institution.licenceValidTo} 过期`);
        break;
      }
    }
  }
  return out;
}
