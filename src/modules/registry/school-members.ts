import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import type { Actor } from "../../shared/actor.js";

/** The part of a school the registry needs to know about: where it sits in the tree. */
export interface SchoolPlace {
  id: number;
  code: string;
  name: string;
  path: string;
  countyCode: string;
}

export interface MemberCounts {
  students: number;
  staff: number;
  classGroups: number;
}

/**
 * What the registry asks of the people module (students, staff, class groups) when a unit is
 * shown, merged or closed. The people module implements it; the composition root wires it in, so
 * the registry never reads people's tables itself.
 */
export interface SchoolMembers {
  /** Enrolled (incl. suspended) students, active staff and this school year's class groups under `path`. */
  count(db: Kysely<DB>, path: string, schoolYear: number): Promise<MemberCounts>;
  /** The grades of the enrolled students under `path` (before a school's type changes). */
  gradesInUse(db: Kysely<DB>, path: string): Promise<number[]>;
  /**
   * 撤并: moves the current members of `from` to `to` on `date`, inside the caller's transaction,
   * with a status-history row per student.
   */
  moveAll(
    tx: Kysely<DB>,
    actor: Actor,
    move: { from: SchoolPlace; to: SchoolPlace; date: string; schoolYear: number; note: string },
  ): Promise<MemberCounts>;
}
