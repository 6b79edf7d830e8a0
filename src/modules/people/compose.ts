import type { FastifyPluginAsync } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { dataEvents } from "../../shared/data-events.js";
import { changeRoutes } from "../changes/routes.js";
import { ChangeFeedService } from "../changes/service.js";
import { OrgDirectory } from "../registry/org-directory.js";
import { OrgUnitChanges } from "../registry/org-unit-changes.js";
import { OrgUnitEndings } from "../registry/org-unit-endings.js";
import { OrgUnitService } from "../registry/org-unit-service.js";
import { orgUnitRoutes } from "../registry/routes.js";
import { classGroupRoutes } from "./class-group-routes.js";
import { ClassGroupService } from "./class-group-service.js";
import { CountCache } from "./count-cache.js";
import { PeopleOfSchools } from "./relocation.js";
import { staffRoutes } from "./staff-routes.js";
import { StaffService } from "./staff-service.js";
import { studentRoutes } from "./student-routes.js";
import { StudentService } from "./student-service.js";

export interface RegistryPeopleOptions {
  /** How long a list total is remembered (see CountCache); 0 turns the cache off. */
  countCacheMs?: number;
  now?: () => Date;
}

/**
 * Builds the registry, people, class-group and change-feed services (they share the count cache
 * and the registry's view of schools) and returns their route plugins, for the composition root.
 */
export function registryPeople(db: Kysely<DB>, opts: RegistryPeopleOptions = {}) {
  const now = opts.now ?? (() => new Date());
  const counts = new CountCache(opts.countCacheMs ?? 5000);
  // Any committed change of people data in this process (imports, other modules) makes totals stale.
  dataEvents.on((topic) => {
    if (topic === "people") counts.clear();
  });
  const directory = new OrgDirectory(db);
  const members = new PeopleOfSchools(counts);
  const orgUnits = new OrgUnitService(db, members, now);
  const changes = new OrgUnitChanges(db, members, directory, now);
  const endings = new OrgUnitEndings(db, members, directory, now);
  const students = new StudentService(db, orgUnits, counts, directory, now);
  const staff = new StaffService(db, orgUnits, counts, directory, now);
  const classGroups = new ClassGroupService(db, orgUnits, counts, now);
  const routes: FastifyPluginAsync[] = [
    orgUnitRoutes(orgUnits, changes, endings),
    studentRoutes(students),
    staffRoutes(staff),
    classGroupRoutes(classGroups),
    changeRoutes(
      new ChangeFeedService({ org_unit: orgUnits, student: students, staff, class_group: classGroups }),
    ),
  ];
  return { orgUnits, students, staff, classGroups, counts, routes };
}
