import type { FastifyPluginAsync } from "fastify";
import type { Config } from "../config.js";
import type { Database } from "../db/connect.js";
import { AuthService } from "../modules/access/auth-service.js";
import { AccessRepository } from "../modules/access/repository.js";
import { RoleRepository } from "../modules/access/role-repository.js";
import { roleRoutes } from "../modules/access/role-routes.js";
import { RoleService } from "../modules/access/role-service.js";
import { TokenRepository } from "../modules/access/token-repository.js";
import { tokenRoutes } from "../modules/access/token-routes.js";
import { TokenService } from "../modules/access/token-service.js";
import { UserRepository } from "../modules/access/user-repository.js";
import { userRoutes } from "../modules/access/user-routes.js";
import { UserAdminService } from "../modules/access/user-service.js";
import { AuditRepository } from "../modules/audit/repository.js";
import { auditRoutes } from "../modules/audit/routes.js";
import { AuditService } from "../modules/audit/service.js";
import { casesModule } from "../modules/cases/compose.js";
import { ImportRepository } from "../modules/exchange/repository.js";
import { importRoutes } from "../modules/exchange/routes.js";
import { ImportService } from "../modules/exchange/service.js";
import { fileRoutes } from "../modules/files/routes.js";
import { FileService } from "../modules/files/service.js";
import { FileStore } from "../modules/files/store.js";
import { formEntryRoutes } from "../modules/forms/entry-routes.js";
import { EntryService } from "../modules/forms/entry-service.js";
import { RoundProgress } from "../modules/forms/progress-service.js";
import { formDefinitionRoutes } from "../modules/forms/routes.js";
import { FormsService } from "../modules/forms/service.js";
import { FormTemplates } from "../modules/forms/template-service.js";
import { HealthRepository } from "../modules/health/repository.js";
import { healthRoutes } from "../modules/health/routes.js";
import { HealthService } from "../modules/health/service.js";
import { indicators } from "../modules/indicators/compose.js";
import { registryPeople } from "../modules/people/compose.js";
import { reportsModule } from "../modules/reports/compose.js";
import { StatsRepository } from "../modules/stats/repository.js";
import { statsRoutes } from "../modules/stats/routes.js";
import { StatsService } from "../modules/stats/service.js";

/**
 * The composition root: builds each capability's repository and service once, and lists the route
 * plugins that the app registers. A capability is added here and nowhere else.
 */
export interface Services {
  auth: AuthService;
  /** Data collection (数据项, 报表); the indicators engine reads values through it. */
  forms: FormsService;
  /** Cases (隐患, 督导 …), 平安校园 inspections (safety.safeCampusBySchool), the deadline sweep. */
  cases: ReturnType<typeof casesModule>;
  routes: FastifyPluginAsync[];
}

export function createServices(database: Database, config: Config): Services {
  const accessRepo = new AccessRepository(database.db);
  const auth = new AuthService(accessRepo, config.SESSION_TTL_MINUTES);
  const routes: FastifyPluginAsync[] = [];
  // Attachments: modules that keep files claim uploads and register an owner check (files/service.ts).
  const files = new FileService(
    database.db,
    new FileStore(config.filesDir, config.ATTACHMENT_MAX_MB * 1024 * 1024),
  );
  routes.push(fileRoutes(files));
  routes.push(statsRoutes(new StatsService(new StatsRepository(database.db))));
  routes.push(userRoutes(new UserAdminService(new UserRepository(database.db))));
  routes.push(roleRoutes(new RoleService(new RoleRepository(database.db))));
  routes.push(tokenRoutes(new TokenService(new TokenRepository(database.db))));
  routes.push(auditRoutes(new AuditService(new AuditRepository(database.db))));
  const people = registryPeople(database.db);
  routes.push(...people.routes);
  const maxUploadBytes = config.MAX_UPLOAD_MB * 1024 * 1024;
  const imports = new ImportService(new ImportRepository(database), {
    uploadDir: config.uploadDir,
    maxUploadBytes,
    // An import changes list totals at once (the count cache would otherwise lag by its TTL).
    onCommitted: () => people.counts.clear(),
  });
  routes.push(importRoutes(imports, maxUploadBytes));
  // health: vision screenings and the myopia rate; `health.myopiaBySchool(period)` feeds the indicators
  const health = new HealthService(new HealthRepository(database.db));
  routes.push(healthRoutes(health));
  const forms = new FormsService(database.db);
  const formEntries = new EntryService(database.db, forms);
  routes.push(
    formDefinitionRoutes(forms),
    formEntryRoutes(
      formEntries,
      new FormTemplates(database.db, formEntries),
      new RoundProgress(database.db, formEntries),
    ),
  );
  const cases = casesModule(database.db, { files, clockFile: config.CASES_CLOCK_FILE });
  routes.push(...cases.routes);
  // indicators: read the forms, the screenings and the 平安校园 inspections; composed after them
  // (PGlite: one process owns the data, and every write in it sends a data event, so the indicators'
  // periodic re-read for changes made by other processes is not needed; it would block every request.)
  const facts = database.engine === "pglite" ? { maxAgeMs: Number.POSITIVE_INFINITY } : {};
  routes.push(...indicators(database.db, { forms, health, safety: cases.safety, facts }).routes);
  // 监督举报 and 校外培训: two kinds on the case engine, the public page, the training registry
  routes.push(...reportsModule(database.db, { cases: cases.cases, files }).routes);
  return { auth, forms, cases, routes };
}
