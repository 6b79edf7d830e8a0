import { parseResidentId, residentIdMessages } from "../../shared/resident-id.js";
import { duplicateFinder, REQUIRED, rowErrors, text } from "../exchange/fields.js";
import type { ErrorFn, ImportKindDef, RowView } from "../exchange/kind.js";
import { DATE_HINT, isDamagedNumber, NUMBER_DAMAGE_HINT, parseDate } from "../exchange/values.js";

/**
 * The import kind "vision-screenings" (学生视力筛查): one row per student and screening date,
 * the student named by 学籍号 or 身份证号. The exchange module runs it (streaming reader, dry run
 * listing every bad row, all-or-nothing commit); its SQL is in screening-import-sql.ts. The row
 * checks here need no lookups: whether the student exists and is in the importer's scope is asked
 * of the database at the end of the dry run (one join instead of 550,000 students in memory).
 */

/** 五分记录 (GB 11533 standard logarithmic visual acuity chart): 4.0 … 5.3, one decimal. */
export const ACUITY_MIN = 4.0;
export const ACUITY_MAX = 5.3;
/** A plausible autorefraction range (D); anything beyond is a typing error. */
export const SE_LIMIT = 30;
/** Screenings before this date are refused (no school records that old). */
export const EARLIEST_SCREENING = "2000-01-01";

const NUMBER = /^[-+]?\d+(?:\.\d+)?$/;

const digit = (c: number) => (c >= 48 && c <= 57 ? c - 48 : -1);

/**
 * The common cell of each reading already in its stored form ("4.8"; "-0.75", "1.00"): taken as
 * it is, without a regular expression, a number and its formatting (a third of the file's
 * validation). Anything else goes the general way below, which gives the same text for these.
 */
function plainAcuity(v: string): boolean {
  if (v.length !== 3 || v.charCodeAt(1) !== 46) return false;
  const tenths = digit(v.charCodeAt(0)) * 10 + digit(v.charCodeAt(2));
  return digit(v.charCodeAt(0)) >= 0 && digit(v.charCodeAt(2)) >= 0 && tenths >= 40 && tenths <= 53;
}

function plainSe(v: string): boolean {
  const sign = v.charCodeAt(0) === 45 ? 1 : 0;
  const whole = v.length - 3 - sign; // digits before the point: 1 or 2, no leading zero
  if ((whole !== 1 && whole !== 2) || v.charCodeAt(v.length - 3) !== 46) return false;
  let hundredths = 0;
  for (let i = sign; i < v.length; i++) {
    if (i === v.length - 3) continue;
    const d = digit(v.charCodeAt(i));
    if (d < 0 || (i === sign && d === 0 && whole === 2)) return false;
    hundredths = hundredths * 10 + d;
  }
  // "-0.00" is written 0.00
  return hundredths <= SE_LIMIT * 100 && !(sign && hundredths === 0);
}

function acuity(r: RowView, fail: ErrorFn, key: string, label: string): string | undefined {
  const v = r.get(key);
  if (plainAcuity(v)) return v;
  if (v === "") {
    fail(key, v, REQUIRED);
    return undefined;
  }
  if (!NUMBER.test(v)) {
    fail(key, v, `${label}应为数字（五分记录，如 4.9）`);
    return undefined;
  }
  const x = Number(v);
  const tenths = Math.round(x * 10);
  if (x > 0 && x <= 2.0) {
    fail(
      key,
      v,
      `${label}应为五分记录（4.0～5.3）；该值疑似小数记录，请换算为五分记录（如 1.0→5.0、0.5→4.7、0.1→4.0）`,
    );
    return undefined;
  }
  if (x < ACUITY_MIN || x > ACUITY_MAX || Math.abs(x * 10 - tenths) > 1e-9) {
    fail(key, v, `${label}应为五分记录 ${ACUITY_MIN.toFixed(1)}～${ACUITY_MAX.toFixed(1)}，保留一位小数`);
    return undefined;
  }
  return (tenths / 10).toFixed(1);
}

function sphericalEquivalent(r: RowView, fail: ErrorFn, key: string, label: string): string | undefined {
  // A trailing unit (D) and a typographic minus (−) are allowed; most cells have neither, and two
  // regular-expression replaces per cell were a tenth of the file's validation.
  let v = r.get(key);
  const unit = v.charCodeAt(v.length - 1);
  if (unit === 68 || unit === 100 || unit === 0xff24) v = v.slice(0, -1);
  if (v.indexOf("−") >= 0) v = v.replace("−", "-");
  if (plainSe(v)) return v;
  if (v === "") {
    fail(key, r.get(key), REQUIRED);
    return undefined;
  }
  if (!NUMBER.test(v)) {
    fail(key, r.get(key), `${label}应为数字（屈光度 D，如 -0.75）`);
    return undefined;
  }
  const x = Number(v);
  const hundredths = Math.round(x * 100);
  if (Math.abs(x) > SE_LIMIT || Math.abs(x * 100 - hundredths) > 1e-6) {
    fail(key, r.get(key), `${label}应在 -${SE_LIMIT}～+${SE_LIMIT} D 之间，最多两位小数`);
    return undefined;
  }
  return (hundredths / 100).toFixed(2);
}

function screeningDate(r: RowView, fail: ErrorFn, today: string): string | undefined {
  const v = r.get("screenedOn");
  if (v === "") {
    fail("screenedOn", v, REQUIRED);
    return undefined;
  }
  const d = parseDate(v, r.type("screenedOn"));
  if (!d) fail("screenedOn", v, `筛查日期无效，${DATE_HINT}`);
  else if (d > today) fail("screenedOn", v, "筛查日期不能晚于今天");
  else if (d < EARLIEST_SCREENING) fail("screenedOn", v, `筛查日期不能早于 ${EARLIEST_SCREENING}`);
  else return d;
  return undefined;
}

export const screeningsKind: ImportKindDef = {
  kind: "vision-screenings",
  label: "视力筛查",
  permission: "health.write",
  topic: "health",
  entity: "vision_screening",
  needs: {},
  ignored: ["学校名称", "学校标识码", "年级", "年龄", "筛查性近视", "是否近视"],
  columns: [
    {
      key: "studentNumber",
      header: "学籍号",
      aliases: ["全国学籍号", "学生学籍号", "学籍编号"],
      required: false,
      note: "学籍号和身份证号至少填一项；须为您管理范围内学校的学生",
      sample: "G141102201603051234",
      text: true,
      width: 24,
    },
    {
      key: "residentId",
      header: "身份证号",
      aliases: ["身份证号码", "公民身份号码", "证件号码"],
      required: false,
      note: "无学籍号时填写；两项都填时须为同一学生。请将该列设为“文本”格式",
      sample: "141102201603051234",
      text: true,
      width: 22,
    },
    {
      key: "name",
      header: "姓名",
      aliases: ["学生姓名"],
      required: false,
      note: "可不填；填写时须与学籍中的姓名一致（用于核对学籍号是否填错）",
      sample: "张小明",
    },
    {
      key: "screenedOn",
      header: "筛查日期",
      aliases: ["检查日期", "筛查时间", "检查时间"],
      required: true,
      note: "如 2022-10-12；不能晚于今天",
      sample: "2022-10-12",
      width: 14,
    },
    {
      key: "vaLeft",
      header: "左眼裸眼视力",
      aliases: ["裸眼视力（左）", "裸眼视力(左)", "左眼视力", "左眼裸眼远视力", "裸眼视力左"],
      required: true,
      note: "五分记录 4.0～5.3，一位小数（如 4.9）",
      sample: "4.8",
    },
    {
      key: "vaRight",
      header: "右眼裸眼视力",
      aliases: ["裸眼视力（右）", "裸眼视力(右)", "右眼视力", "右眼裸眼远视力", "裸眼视力右"],
      required: true,
      note: "五分记录 4.0～5.3，一位小数（如 5.0）",
      sample: "5.0",
    },
    {
      key: "seLeft",
      header: "左眼等效球镜",
      aliases: ["等效球镜（左）", "等效球镜(左)", "左眼SE", "左眼等效球镜度", "等效球镜左"],
      required: true,
      note: "非睫状肌麻痹下电脑验光等效球镜（球镜 + 柱镜/2），单位 D，如 -0.75",
      sample: "-0.75",
    },
    {
      key: "seRight",
      header: "右眼等效球镜",
      aliases: ["等效球镜（右）", "等效球镜(右)", "右眼SE", "右眼等效球镜度", "等效球镜右"],
      required: true,
      note: "单位 D，如 -0.25",
      sample: "-0.25",
    },
    {
      key: "institution",
      header: "筛查机构",
      aliases: ["检查机构", "筛查单位"],
      required: false,
      note: "最多100个字",
      sample: "离石区妇幼保健院",
      width: 20,
    },
  ],
  stage: [
    ["student_number", "text"],
    ["resident_id", "text"],
    ["name", "text"],
    ["screened_on", "date"],
    ["va_left", "numeric(2,1)"],
    ["va_right", "numeric(2,1)"],
    ["se_left", "numeric(5,2)"],
    ["se_right", "numeric(5,2)"],
    ["institution", "text"],
  ],
  validator(l) {
    const seen = duplicateFinder("同一学生同一筛查日期");
    const state = rowErrors();
    return (r, err) => {
      const fail = state.start(err);
      const number = r.get("studentNumber").toUpperCase();
      const rawId = r.get("residentId").toUpperCase();
      let studentNumber: string | null = null;
      let residentId: string | null = null;
      if (number === "" && rawId === "") fail("studentNumber", "", "学籍号和身份证号至少填写一项");
      if (number !== "") {
        if (isDamagedNumber(number, r.type("studentNumber")))
          fail("studentNumber", number, `学籍号${NUMBER_DAMAGE_HINT}`);
        else if (!/^[0-9A-Z]{1,30}$/.test(number))
          fail("studentNumber", number, "学籍号应为1-30位大写字母或数字（如 G 加18位身份证号）");
        else studentNumber = number;
      }
      if (rawId !== "") {
        const parsed = parseResidentId(rawId);
        if (isDamagedNumber(rawId, r.type("residentId")))
          fail("residentId", rawId, `身份证号${NUMBER_DAMAGE_HINT}`);
        else if (!parsed.ok) fail("residentId", rawId, residentIdMessages[parsed.problem]);
        else residentId = parsed.value;
      }
      const name = text(r, fail, "name", { max: 50 });
      const on = screeningDate(r, fail, l.today);
      const vaLeft = acuity(r, fail, "vaLeft", "左眼裸眼视力");
      const vaRight = acuity(r, fail, "vaRight", "右眼裸眼视力");
      const seLeft = sphericalEquivalent(r, fail, "seLeft", "左眼等效球镜");
      const seRight = sphericalEquivalent(r, fail, "seRight", "右眼等效球镜");
      const institution = text(r, fail, "institution", { max: 100 });
      if (on && (studentNumber || residentId)) {
        const key = studentNumber ? "studentNumber" : "residentId";
        seen(r, fail, key, `${studentNumber ?? residentId}|${on}`, studentNumber ?? residentId ?? "");
      }
      if (state.failed || !on || !vaLeft || !vaRight || !seLeft || !seRight) return null;
      return [
        studentNumber,
        residentId,
        name || null,
        on,
        vaLeft,
        vaRight,
        seLeft,
        seRight,
        institution || null,
      ];
    };
  },
};
