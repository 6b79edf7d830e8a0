import type { FastifyPluginAsync } from "fastify";
import type { Config } from "../config.js";
import type { Database } from "../db/connect.js";
import { AuthService } from "../modules/access/auth-service.js";
import { AccessRepository } from "../modules/access/repository.js";
import { StatsRepository } from "../modules/stats/repository.js";
import { statsRoutes } from "../modules/stats/routes.js";
import { StatsService } from "../modules/stats/service.js";

/**
 * The composition root: builds each capability's repository and service once, and lists the route
 * plugins that the app registers. A capability is added here and nowhere else.
 */
export interface Services {
  auth: AuthService;
  routes: FastifyPluginAsync[];
}

export function createServices(database: Database, config: Config): Services {
  const accessRepo = new AccessRepository(database.db);
  const auth = new AuthService(accessRepo, config.SESSION_TTL_MINUTES);
  const routes: FastifyPluginAsync[] = [];
  routes.push(statsRoutes(new StatsService(new StatsRepository(database.db))));
  return { auth, routes };
}
