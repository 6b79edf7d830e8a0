import { describe, expect, it } from "vitest";
import { AppError } from "../../shared/errors.js";
import {
  assertKnownPermissions,
  assertNoEscalation,
  coversWholeTree,
  missingPermissions,
  unknownPermissions,
} from "./grant-rules.js";
import type { Permission } from "./permissions.js";

describe("grant rules", () => {
  it("finds the permissions an actor lacks", () => {
    const held = new Set(["people.read", "users.manage"]);
    expect(missingPermissions(held, ["people.read", "audit.read", "audit.read"])).toEqual(["audit.read"]);
    expect(missingPermissions(held, [])).toEqual([]);
  });

  it("refuses escalation naming the missing permission in Chinese", () => {
    const held = new Set<Permission>(["people.read"]);
    expect(() => assertNoEscalation(held, ["people.read"], "授予")).not.toThrow();
    try {
      assertNoEscalation(held, ["people.pii"], "授予");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe("FORBIDDEN");
      expect((e as AppError).message).toContain("查看完整身份证号");
    }
  });

  it("knows the permission catalogue", () => {
    expect(unknownPermissions(["people.read", "root.everything"])).toEqual(["root.everything"]);
    expect(() => assertKnownPermissions([])).toThrow(/至少选择一项权限/);
    expect(() => assertKnownPermissions(["x"])).toThrow(/未知权限/);
  });

  it("recognises a whole-tree scope", () => {
    expect(coversWholeTree(["/"])).toBe(true);
    expect(coversWholeTree(["/141100/"])).toBe(true);
    expect(coversWholeTree(["/141100/141102/"])).toBe(false);
    expect(coversWholeTree([])).toBe(false);
  });
});
