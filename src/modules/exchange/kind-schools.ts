import { findSchoolType, ownershipLabels, schoolTypes, urbanRuralLabels } from "../registry/codes.js";
import {
  coordinateIssues,
  KINDERGARTEN_TYPE,
  SCHOOL_CODE_PATTERN,
  schoolAttributeIssues,
} from "../registry/rules.js";
import { choice, date, duplicateFinder, REQUIRED, rowErrors, text } from "./fields.js";
import { type ImportKindDef, pgBool } from "./kind.js";
import { isDamagedNumber, NUMBER_DAMAGE_HINT, parseNumber, parseYesNo } from "./values.js";

const attributeKeys: Record<string, string> = {
  schoolType: "schoolType",
  ownership: "ownership",
  inclusive: "inclusive",
  urbanRural: "urbanRural",
  lng: "lng",
  lat: "lat",
};

/** 学校: upserted by 学校标识码; attribute changes open a new version of the unit from today. */
export const schoolsKind: ImportKindDef = {
  kind: "schools",
  label: "学校",
  permission: "registry.write",
  entity: "org_unit",
  needs: { parents: true },
  columns: [
    {
      key: "code",
      header: "学校标识码",
      aliases: ["学校代码", "学校识别码"],
      required: true,
      note: "10位数字（教育部学校标识码）；同一文件内不能重复",
      sample: "1411020001",
      text: true,
      width: 14,
    },
    {
      key: "name",
      header: "学校名称",
      aliases: ["学校全称", "名称"],
      required: true,
      note: "最多100个字",
      sample: "离石区第一小学",
      width: 24,
    },
    {
      key: "shortName",
      header: "简称",
      aliases: ["学校简称"],
      required: false,
      note: "可不填",
      sample: "离石一小",
    },
    {
      key: "parent",
      header: "主管单位",
      aliases: ["所属区县", "上级单位", "主管部门"],
      required: true,
      note: "县（市、区）的代码或名称，如 141102 或 离石区；市直学校填市的代码或名称",
      sample: "离石区",
    },
    {
      key: "county",
      header: "所在区县",
      aliases: ["所在县区", "所在县（市、区）"],
      required: false,
      note: "市直学校必填（学校所在的县（市、区））；其他学校可不填",
      sample: "",
    },
    {
      key: "schoolType",
      header: "办学类型",
      aliases: ["学校类型", "办学类型代码"],
      required: true,
      note: "JY/T 1001 学校办学类型，填名称或代码",
      allowed: schoolTypes.map((t) => t.label),
      sample: "小学",
    },
    {
      key: "ownership",
      header: "举办者",
      aliases: ["办学性质", "公办民办"],
      required: true,
      note: "",
      allowed: Object.values(ownershipLabels),
      sample: "公办",
    },
    {
      key: "inclusive",
      header: "普惠性",
      aliases: ["是否普惠", "普惠性民办园"],
      required: false,
      note: "只适用于民办幼儿园（公办园按举办者计入普惠）；其他学校留空",
      allowed: ["是", "否"],
      sample: "",
    },
    {
      key: "urbanRural",
      header: "城乡分类",
      aliases: ["城乡类型", "城乡"],
      required: true,
      note: "",
      allowed: Object.values(urbanRuralLabels),
      sample: "城区",
    },
    {
      key: "boarding",
      header: "寄宿制",
      aliases: ["是否寄宿制", "寄宿制学校"],
      required: false,
      note: "不填为“否”",
      allowed: ["是", "否"],
      sample: "否",
    },
    {
      key: "address",
      header: "地址",
      aliases: ["学校地址", "详细地址"],
      required: false,
      note: "最多200个字",
      sample: "离石区龙凤南大街1号",
      width: 28,
    },
    { key: "lng", header: "经度", required: false, note: "与纬度同时填写，如 111.1345", sample: "111.1345" },
    { key: "lat", header: "纬度", required: false, note: "与经度同时填写，如 37.5186", sample: "37.5186" },
    {
      key: "validFrom",
      header: "成立日期",
      aliases: ["建校日期", "建校时间"],
      required: false,
      note: "只在新建学校时使用，不填为导入当天",
      sample: "1985-09-01",
      width: 14,
    },
  ],
  stage: [
    ["code", "text"],
    ["name", "text"],
    ["short_name", "text"],
    ["parent_id", "bigint"],
    ["path", 'text collate "C"'],
    ["county_code", "text"],
    ["school_type", "text"],
    ["ownership", "text"],
    ["inclusive", "boolean"],
    ["urban_rural", "text"],
    ["boarding", "boolean"],
    ["address", "text"],
    ["lng", "double precision"],
    ["lat", "double precision"],
    ["valid_from", "date"],
  ],
  validator(l) {
    const codes = duplicateFinder("学校标识码");
    const state = rowErrors();
    return (r, err) => {
      const fail = state.start(err);
      const code = r.get("code");
      if (code === "") fail("code", "", REQUIRED);
      else if (isDamagedNumber(code, r.type("code"))) fail("code", code, `学校标识码${NUMBER_DAMAGE_HINT}`);
      else if (!SCHOOL_CODE_PATTERN.test(code)) fail("code", code, "学校标识码应为10位数字");
      else codes(r, fail, "code", code);
      const name = text(r, fail, "name", { required: true, max: 100 });
      const shortName = text(r, fail, "shortName", { max: 50 });
      const p = r.get("parent");
      const parent = p === "" ? undefined : l.parents.get(p);
      if (p === "") fail("parent", "", REQUIRED);
      else if (!parent) fail("parent", p, "主管单位不存在或不在您的管理范围内（填县（市、区）的代码或名称）");
      else if (!parent.current) fail("parent", p, `${parent.name}已撤并或关闭`);
      const c = r.get("county");
      let countyCode = parent?.kind === "county" ? parent.countyCode : null;
      if (c !== "") {
        const county = l.counties.get(c);
        if (!county) fail("county", c, "所在区县不存在（填县（市、区）的代码或名称）");
        else if (parent?.kind === "county" && county.code !== parent.code)
          fail("county", c, `所在区县应与主管单位一致（${parent.name}）`);
        else countyCode = county.code;
      } else if (parent?.kind === "city") fail("county", "", "市直学校须填写所在区县");
      const t = r.get("schoolType");
      const type = t === "" ? undefined : findSchoolType(t);
      if (t !== "" && !type)
        fail("schoolType", t, "办学类型不在 JY/T 1001 代码表中（填名称如“小学”或代码如 211）");
      const ownership = choice(r, fail, "ownership", ownershipLabels);
      const inc = r.get("inclusive");
      let inclusive = inc === "" ? null : parseYesNo(inc);
      if (inclusive === undefined) fail("inclusive", inc, "请填写“是”或“否”");
      const urbanRural = choice(r, fail, "urbanRural", urbanRuralLabels);
      const b = r.get("boarding");
      const boarding = b === "" ? false : parseYesNo(b);
      if (boarding === undefined) fail("boarding", b, "请填写“是”或“否”");
      const address = text(r, fail, "address", { max: 200 });
      const lng = coordinate(r.get("lng"));
      const lat = coordinate(r.get("lat"));
      if (lng === undefined) fail("lng", r.get("lng"), "经度应为数字，如 111.1345");
      if (lat === undefined) fail("lat", r.get("lat"), "纬度应为数字，如 37.5186");
      const validFrom = date(r, fail, "validFrom", { notAfter: l.today });
      // A private kindergarten is not 普惠 until recognised; the flag means nothing elsewhere.
      const privateKindergarten = type?.code === KINDERGARTEN_TYPE && ownership === "private";
      if (privateKindergarten) inclusive ??= false;
      else if (inclusive === false) inclusive = null;
      if (
        inclusive !== undefined &&
        ownership !== undefined &&
        urbanRural !== undefined &&
        (t === "" || type)
      ) {
        const issues = [
          ...schoolAttributeIssues({
            schoolType: type?.code ?? null,
            ownership: ownership ?? null,
            inclusive,
            urbanRural: urbanRural ?? null,
          }),
          ...(lng !== undefined && lat !== undefined ? coordinateIssues(lng, lat) : []),
        ];
        for (const i of issues)
          fail(attributeKeys[i.field] ?? i.field, r.get(attributeKeys[i.field] ?? i.field), i.message);
      }
      if (state.failed || !parent || !name || !type || !ownership || !urbanRural || boarding === undefined)
        return null;
      return [
        code,
        name,
        shortName || null,
        String(parent.id),
        `${parent.path}${code}/`,
        countyCode,
        type.code,
        ownership,
        pgBool(inclusive),
        urbanRural,
        pgBool(boarding),
        address || null,
        lng === null ? null : String(lng),
        lat === null ? null : String(lat),
        validFrom ?? l.today,
      ];
    };
  },
};

function coordinate(v: string): number | null | undefined {
  if (v === "") return null;
  return parseNumber(v);
}
