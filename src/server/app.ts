import fastifyCookie from "@fastify/cookie";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyServerOptions } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { z } from "zod";
import type { Config } from "../config.js";
import { type Database, ping } from "../db/connect.js";
import { demoStatus } from "../demo/status.js";
import { authRoutes } from "../modules/access/auth-routes.js";
import { registerAuth } from "./plugins/auth.js";
import { registerErrorHandler } from "./plugins/errors.js";
import { requestLogOptions } from "./plugins/request-log.js";
import { registerWeb } from "./plugins/web.js";
import { createServices, type Services } from "./services.js";

export interface AppOptions {
  config: Config;
  database: Database;
  /** A pino instance, pino options, or true/false (default: no logging). */
  logger?: FastifyServerOptions["logger"] | FastifyBaseLogger;
  /** The built SPA to serve (default web/dist). */
  webRoot?: string;
}

/** Builds the HTTP app: plugins, then each capability's routes. Does not listen. */
export async function buildApp({ config, database, logger = false, webRoot }: AppOptions) {
  const app = Fastify({
    // Request lines say who sent the request only where plugins/request-log.ts allows it.
    ...requestLogOptions(logger),
    bodyLimit: 5 * 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "吕梁市教育大数据平台 API",
        description:
          "Registry, people, access, audit and exchange. Authenticate with the session cookie (browser) or `Authorization: Bearer edu_…` (other platforms).",
        version: "0.1.0",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          session: { type: "apiKey", in: "cookie", name: "edu_session" },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    // Schemas registered with an id (recursive ones must be) become #/components/schemas entries.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs" });

  const services: Services = createServices(database, config);
  registerAuth(app, services.auth);

  app.get(
    "/api/health",
    {
      config: { public: true },
      schema: {
        tags: ["system"],
        summary: "健康检查 (no session needed)",
        response: {
          200: z.object({
            status: z.literal("ok"),
            engine: z.string(),
            database: z.boolean(),
            demo: z
              .enum(["off", "loading", "ready", "failed"])
              .describe("Demo mode: the demo extras load after the server listens (示范数据载入中)"),
          }),
        },
      },
    },
    async () => ({
      status: "ok" as const,
      engine: database.engine,
      database: await ping(database.db),
      demo: demoStatus.state,
    }),
  );
  app.get("/api/openapi.json", { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  await app.register(authRoutes(services.auth, config));
  for (const plugin of services.routes) await app.register(plugin);
  // The SPA (web/dist) and its client-side routes; every /api path is registered above.
  await registerWeb(app, { root: webRoot });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
