import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, signIn, type TestContext } from "../../../test/app.js";
import { smallCity, user } from "../../../test/factories.js";
import { makeResidentId } from "../../shared/resident-id.js";
import { todayInChina } from "../registry/calendar.js";
import { commitJob, csvText, dryRunOf, upload } from "./test-helpers.js";

let t: TestContext;
let admin: Client;
let lishi: Client;
let school1: Client;

beforeAll(async () => {
  t = await createTestApp();
  await smallCity(t.database.db);
  await user(t.database.db, "admin", ["city_admin"], ["141100"]);
  await user(t.database.db, "lishi", ["county_admin"], ["141102"]);
  await user(t.database.db, "school1", ["school_admin"], ["1411020001"]);
  admin = await signIn(t.app, "admin");
  lishi = await signIn(t.app, "lishi");
  school1 = await signIn(t.app, "school1");
});
afterAll(() => t.close());

const schoolHeader = [
  "学校标识码",
  "学校名称",
  "简称",
  "主管单位",
  "所在区县",
  "办学类型",
  "举办者",
  "普惠性",
  "城乡分类",
  "寄宿制",
  "地址",
  "经度",
  "纬度",
  "成立日期",
];

describe("schools", () => {
  const rows = [
    schoolHeader,
    [
      "1411020003",
      "离石区第三小学",
      "离石三小",
      "离石区",
      "",
      "小学",
      "公办",
      "",
      "城区",
      "否",
      "龙凤大街3号",
      "111.13",
      "37.52",
      "1990-09-01",
    ],
    ["1411020004", "离石区阳光幼儿园", "", "141102", "", "111", "民办", "是", "镇区", "", "", "", "", ""],
    ["1411020001", "离石区第一小学", "", "离石区", "", "小学", "公办", "", "城区", "是", "", "", "", ""],
  ];

  it("a county admin creates and changes its schools; a change opens a new version from today", async () => {
    const { job, errors } = await dryRunOf(lishi, "schools", "学校.csv", csvText(rows));
    expect(errors).toEqual([]);
    expect(await commitJob(lishi, job!.id)).toMatchObject({
      status: "committed",
      inserted: 2,
      updated: 1,
      unchanged: 0,
    });
    const units = await t.database.db
      .selectFrom("org_unit")
      .selectAll()
      .where("code", "in", ["1411020003", "1411020004", "1411020001"])
      .orderBy("code")
      .execute();
    expect(
      units.map((u) => [
        u.code,
        u.path,
        u.county_code,
        u.school_type,
        u.ownership,
        u.inclusive,
        u.urban_rural,
        u.boarding,
      ]),
    ).toEqual([
      ["1411020001", "/141100/141102/1411020001/", "141102", "211", "public", null, "urban", true],
      ["1411020003", "/141100/141102/1411020003/", "141102", "211", "public", null, "urban", false],
      ["1411020004", "/141100/141102/1411020004/", "141102", "111", "private", true, "town", false],
    ]);
    expect(units[1]).toMatchObject({
      short_name: "离石三小",
      lng: 111.13,
      lat: 37.52,
      valid_from: "1990-09-01",
    });
    const today = todayInChina();
    const versions = await t.database.db
      .selectFrom("org_unit_version")
      .select(["valid_from", "valid_to", "boarding", "note"])
      .where("org_unit_id", "=", units[0].id)
      .orderBy("valid_from")
      .execute();
    expect(versions).toEqual([
      { valid_from: "2000-01-01", valid_to: today, boarding: false, note: null },
      { valid_from: today, valid_to: null, boarding: true, note: "导入变更" },
    ]);
    const created = await t.database.db
      .selectFrom("org_unit_version")
      .select(["valid_from", "note"])
      .where("org_unit_id", "=", units[1].id)
      .execute();
    expect(created).toEqual([{ valid_from: "1990-09-01", note: "导入新建" }]);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "before", "after"])
      .where("entity", "=", "org_unit")
      .where("entity_key", "=", "1411020001")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      action: "update",
      before: { boarding: false },
      after: { boarding: true, parentCode: "141102" },
    });

    const again = await dryRunOf(lishi, "schools", "学校.csv", csvText(rows));
    expect(await commitJob(lishi, again.job!.id)).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
  });

  it("refuses schools outside the county, codes held elsewhere, and 普惠 on a public school", async () => {
    const bad = [
      schoolHeader,
      ["1411810009", "孝义新校", "", "孝义市", "", "小学", "公办", "", "城区", "", "", "", "", ""],
      ["1411810001", "孝义市第一小学", "", "离石区", "", "小学", "公办", "", "城区", "", "", "", "", ""],
      ["1411020005", "离石公办园", "", "离石区", "", "幼儿园", "公办", "是", "城区", "", "", "", "", ""],
      ["141102000", "九位码", "", "离石区", "", "小学", "公办", "", "城区", "", "", "", "", ""],
    ];
    const { errors } = await dryRunOf(lishi, "schools", "bad.csv", csvText(bad));
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [2, "主管单位"],
      [3, "学校标识码"],
      [4, "普惠性"],
      [5, "学校标识码"],
    ]);
    expect(errors[1].reason).toBe("学校标识码已被您管理范围之外的机构使用");
    expect(errors[2].reason).toBe("普惠性只适用于民办幼儿园");
  });

  it("needs registry.write: a school admin may not import schools", async () => {
    const res = await upload(school1, "schools", "学校.csv", csvText(rows));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("FORBIDDEN");
  });
});

const staffHeader = [
  "工号",
  "姓名",
  "性别",
  "身份证号",
  "出生日期",
  "学校标识码",
  "岗位",
  "任教学科",
  "学历",
  "职称",
  "骨干级别",
  "教师资格证号",
  "到校日期",
  "状态",
];
const staffId = (seq: number) => makeResidentId("141102", "1985-07-12", seq);

describe("staff, class groups, then students in classes", () => {
  it("imports staff with lists and codes", async () => {
    const rows = [
      staffHeader,
      [
        "T001",
        "李老师",
        "",
        staffId(2),
        "",
        "1411020001",
        "教师、班主任",
        "数学,科学",
        "本科",
        "一级教师",
        "县级",
        "20101420012000123",
        "2015-08-28",
        "",
      ],
      [
        "T002",
        "王校长",
        "",
        staffId(3),
        "",
        "1411020001",
        "校长",
        "",
        "研究生",
        "高级教师",
        "",
        "",
        "",
        "在职",
      ],
      ["T003", "赵老师", "", "", "", "1411020001", "厨师", "", "博士", "", "国家级", "", "", "离职"],
    ];
    const { errors } = await dryRunOf(school1, "staff", "教职工.csv", csvText(rows));
    expect(errors.map((e) => e.column).sort()).toEqual(["岗位", "学历", "性别", "状态", "骨干级别"].sort());
    const ok = await dryRunOf(school1, "staff", "教职工.csv", csvText(rows.slice(0, 3)));
    expect(await commitJob(school1, ok.job!.id)).toMatchObject({ inserted: 2 });
    const t001 = await t.database.db
      .selectFrom("staff")
      .selectAll()
      .where("staff_number", "=", "T001")
      .executeTakeFirstOrThrow();
    expect(t001).toMatchObject({
      gender: "F",
      birth_date: "1985-07-12",
      posts: ["教师", "班主任"],
      subjects: ["数学", "科学"],
      key_level: "county",
      teaching_certificate: "20101420012000123",
      status: "active",
      org_path: "/141100/141102/1411020001/",
    });
  });

  it("imports class groups with their homeroom teachers", async () => {
    const rows = [
      ["学校标识码", "学年", "班级名称", "年级", "班主任工号"],
      ["1411020001", "", "三年级1班", "三年级", "T001"],
      ["1411020001", "2024-2025", "三年级1班", "三年级", ""],
      ["1411020001", "", "三年级2班", "三年级", "T999"],
      ["1411020001", "", "三年级1班", "四年级", ""],
    ];
    const { errors } = await dryRunOf(school1, "class-groups", "班级.csv", csvText(rows));
    expect(errors.map((e) => [e.row, e.column, e.reason])).toEqual([
      [4, "班主任工号", "本校没有工号为 T999 的教职工（先导入教职工，或留空）"],
      [5, "班级名称", "班级（学校+学年+班级名称）在文件中重复：第2行和第5行"],
    ]);
    const ok = await dryRunOf(school1, "class-groups", "班级.csv", csvText(rows.slice(0, 3)));
    expect(await commitJob(school1, ok.job!.id)).toMatchObject({ inserted: 2 });
    const classes = await t.database.db
      .selectFrom("class_group")
      .select(["school_year", "name", "stage", "grade", "homeroom_staff_number"])
      .orderBy("school_year")
      .execute();
    expect(classes.map((c) => c.school_year)).toContain(2024);
    expect(classes).toContainEqual(
      expect.objectContaining({
        name: "三年级1班",
        stage: "primary",
        grade: 3,
        homeroom_staff_number: "T001",
      }),
    );
  });

  it("places students in this year's class and refuses a class of another grade", async () => {
    const header = ["学籍号", "姓名", "身份证号", "学校标识码", "年级", "班级"];
    const sid = (seq: number) => makeResidentId("141102", "2014-03-05", seq);
    const rows = [
      header,
      [`G${sid(1)}`, "甲", sid(1), "1411020001", "三年级", "三年级1班"],
      [`G${sid(2)}`, "乙", sid(2), "1411020001", "四年级", "三年级1班"],
      [`G${sid(3)}`, "丙", sid(3), "1411020001", "三年级", "三年级9班"],
    ];
    const { errors } = await dryRunOf(school1, "students", "学生.csv", csvText(rows));
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [3, "班级"],
      [4, "班级"],
    ]);
    expect(errors[0].reason).toContain("是三年级的班级，与年级不一致");
    const ok = await dryRunOf(school1, "students", "学生.csv", csvText(rows.slice(0, 2)));
    await commitJob(school1, ok.job!.id);
    const r = await sql<{
      name: string;
    }>`select c.name from student s join class_group c on c.id = s.class_group_id`.execute(t.database.db);
    expect(r.rows).toEqual([{ name: "三年级1班" }]);
  });

  it("a city admin's imports are seen by the city only", async () => {
    const rows = [
      staffHeader,
      ["T100", "孙老师", "男", "", "", "1411810001", "", "", "", "", "", "", "", ""],
    ];
    const { job } = await dryRunOf(admin, "staff", "孝义.csv", csvText(rows));
    expect(job?.status).toBe("validated");
    expect((await lishi.get(`/api/imports/${job!.id}`)).statusCode).toBe(404);
    expect((await admin.get(`/api/imports/${job!.id}`)).statusCode).toBe(200);
  });
});
