import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/db.js";
import { smallCity, TEST_PASSWORD, user } from "../../../test/factories.js";
import type { Database } from "../../db/connect.js";
import { accessEpoch } from "./access-epoch.js";
import { AuthService } from "./auth-service.js";
import { AccessRepository } from "./repository.js";
import { UserRepository } from "./user-repository.js";

/** The in-process session cache: fewer lookups, never a stale answer after a write of this process. */

let database: Database;
let lookups = 0;
let clock = Date.parse("2026-03-02T08:00:00Z");
let auth: AuthService;

beforeAll(async () => {
  database = await createTestDatabase();
  await smallCity(database.db);
  await user(database.db, "cached", ["county_admin"], ["141102"]);
  const repo = new AccessRepository(database.db);
  const find = repo.findSessionWithActor.bind(repo);
  repo.findSessionWithActor = (idHash, now) => {
    lookups++;
    return find(idHash, now);
  };
  auth = new AuthService(repo, 60, () => new Date(clock), 2000);
});
afterAll(() => database.close());

describe("session cache", () => {
  it("looks a session up once within its time to live, again after it", async () => {
    const { sessionId } = await auth.login("cached", TEST_PASSWORD);
    lookups = 0;
    const first = await auth.resolveSession(sessionId);
    expect(first?.actor.name).toBe("cached");
    await auth.resolveSession(sessionId);
    await auth.resolveSession(sessionId);
    expect(lookups).toBe(1);
    clock += 2500;
    expect((await auth.resolveSession(sessionId))?.actor.name).toBe("cached");
    expect(lookups).toBe(2);
  });

  it("forgets at once on sign-out and on any access write of this process", async () => {
    const { sessionId } = await auth.login("cached", TEST_PASSWORD);
    expect(await auth.resolveSession(sessionId)).not.toBeNull();
    // Roles changed through a repository transaction: the next request sees the new permissions.
    await new UserRepository(database.db).transaction(async (_repo, tx) => {
      await tx
        .updateTable("app_user")
        .set({ roles: ["teacher"] })
        .where("username", "=", "cached")
        .execute();
    });
    const after = await auth.resolveSession(sessionId);
    expect(after?.actor.roles).toEqual(["teacher"]);
    expect(after?.actor.permissions.has("users.manage")).toBe(false);
    const epoch = accessEpoch.value;
    await auth.logout(sessionId, after!.actor);
    expect(accessEpoch.value).toBeGreaterThan(epoch);
    expect(await auth.resolveSession(sessionId)).toBeNull();
  });

  it("never outlives the session's own expiry", async () => {
    const { sessionId } = await auth.login("cached", TEST_PASSWORD);
    expect(await auth.resolveSession(sessionId)).not.toBeNull();
    clock += 61 * 60_000; // the session's 60 minutes are over
    expect(await auth.resolveSession(sessionId)).toBeNull();
  });
});
