import { describe, expect, it } from "vitest";
import { earlierCounts } from "./demo-census.js";

describe("the demo's earlier censuses", () => {
  const schools = new Map([
    [1, { ownership: "public", inclusive: true }],
    [2, { ownership: "private", inclusive: false }],
    [3, { ownership: "private", inclusive: null }],
  ]);
  const now = {
    students: [
      { school_id: 1, stage: "preschool", grade: 1, gender: "M", n: 1000 },
      { school_id: 2, stage: "preschool", grade: 1, gender: "M", n: 1000 },
      { school_id: 3, stage: "junior", grade: 7, gender: "F", n: 1000 },
    ],
    staff: [
      { school_id: 1, posts: ["教师"], key_level: "city", title: null, education: null, n: 100 },
      { school_id: 1, posts: ["教师"], key_level: null, title: null, education: null, n: 100 },
    ],
  };

  it("follows the plan's trends backwards: fewer public kindergarten places, more private, fewer 骨干", () => {
    const back2 = earlierCounts(now, schools, 2, 2020);
    const [pub, priv, junior] = back2.students.map((r) => r.n);
    // 0.94² = 0.8836, 1.1² = 1.21, 1.08² = 1.1664, each within its school's ±3 % spread
    expect(pub).toBeGreaterThanOrEqual(Math.floor(1000 * 0.8836 * 0.97));
    expect(pub).toBeLessThanOrEqual(Math.ceil(1000 * 0.8836 * 1.03));
    expect(priv).toBeGreaterThanOrEqual(Math.floor(1000 * 1.21 * 0.97));
    expect(junior).toBeGreaterThanOrEqual(Math.floor(1000 * 1.1664 * 0.97));
    const [key, plain] = back2.staff.map((r) => r.n);
    expect(key).toBeLessThan(plain);
    // the same every load, and the groups keep their keys
    expect(earlierCounts(now, schools, 2, 2020)).toEqual(back2);
    expect(back2.students.map(({ n: _, ...k }) => k)).toEqual(now.students.map(({ n: _, ...k }) => k));
  });
});
