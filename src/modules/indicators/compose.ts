import type { FastifyPluginAsync } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/types.js";
import { type DataEvents, dataEvents } from "../../shared/data-events.js";
import { PeopleCensusRepository, PeopleCensusService } from "./census.js";
import { censusRoutes } from "./census-routes.js";
import { DefinitionService } from "./definition-service.js";
import { type FactsOptions, FactsProvider } from "./facts.js";
import { RegistryReadModel } from "./registry-read-model.js";
import { IndicatorRepository } from "./repository.js";
import { ResultService } from "./result-service.js";
import { indicatorRoutes } from "./routes.js";
import { SourceSnapshots } from "./snapshots.js";
import type { IndicatorFormsSource, IndicatorHealthSource, IndicatorSafetySource } from "./sources.js";

export interface IndicatorSources {
  forms?: IndicatorFormsSource | null;
  health?: IndicatorHealthSource | null;
  /** 平安校园 inspections (the cases module's SafetyService). */
  safety?: IndicatorSafetySource | null;
  events?: DataEvents;
  facts?: FactsOptions;
}

/** Builds the indicator services for the composition root. */
export function indicators(db: Kysely<DB>, sources: IndicatorSources = {}) {
  const repo = new IndicatorRepository(db);
  const censusRepo = new PeopleCensusRepository(db);
  const facts = new FactsProvider(
    new RegistryReadModel(db),
    sources.events ?? dataEvents,
    sources.forms ?? null,
    sources.health ?? null,
    sources.facts,
    new SourceSnapshots(db),
    sources.safety ?? null,
    censusRepo,
  );
  const results = new ResultService(repo, facts);
  const definitions = new DefinitionService(db, repo, sources.forms ?? null, () => results.invalidate());
  const census = new PeopleCensusService(db, censusRepo, facts);
  const routes: FastifyPluginAsync[] = [indicatorRoutes(definitions, results), censusRoutes(census)];
  return { definitions, results, facts, census, routes };
}
