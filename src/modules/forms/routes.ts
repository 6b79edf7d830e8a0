import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../server/plugins/auth.js";
import {
  elementBody,
  elementOut,
  elementParams,
  elementPatchBody,
  formBody,
  formOut,
  formParams,
  formPatchBody,
  formSummaryOut,
  roundBody,
  roundParams,
  roundPatchBody,
} from "./schemas.js";
import type { FormsService } from "./service.js";

const tags = ["forms"];

/** /api/forms: data elements (数据项) and forms (报表) with their reporting rounds. */
export function formDefinitionRoutes(service: FormsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/api/forms/elements",
      { schema: { tags, summary: "数据项列表", response: { 200: z.array(elementOut) } } },
      (request) => service.elements(actorOf(request)),
    );

    app.post(
      "/api/forms/elements",
      {
        schema: {
          tags,
          summary: "新建数据项 (permission forms.define)",
          body: elementBody,
          response: { 201: elementOut },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await service.createElement(actorOf(request), request.body)),
    );

    app.patch(
      "/api/forms/elements/:code",
      {
        schema: {
          tags,
          summary: "修改数据项 (name, unit, options, disaggregation while no value is stored)",
          params: elementParams,
          body: elementPatchBody,
          response: { 200: elementOut },
        },
      },
      (request) => service.updateElement(actorOf(request), request.params.code, request.body),
    );

    app.get(
      "/api/forms",
      {
        schema: {
          tags,
          summary: "报表列表 (with their reporting rounds)",
          response: { 200: z.array(formSummaryOut) },
        },
      },
      (request) => service.forms(actorOf(request)),
    );

    app.post(
      "/api/forms",
      {
        schema: {
          tags,
          summary: "新建报表 (elements, reporter types, period type, rules; permission forms.define)",
          body: formBody,
          response: { 201: formOut },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await service.createForm(actorOf(request), request.body)),
    );

    app.get(
      "/api/forms/:code",
      { schema: { tags, summary: "报表定义", params: formParams, response: { 200: formOut } } },
      (request) => service.form(actorOf(request), request.params.code),
    );

    app.patch(
      "/api/forms/:code",
      {
        schema: {
          tags,
          summary: "修改报表定义",
          params: formParams,
          body: formPatchBody,
          response: { 200: formOut },
        },
      },
      (request) => service.updateForm(actorOf(request), request.params.code, request.body),
    );

    app.post(
      "/api/forms/:code/periods",
      {
        schema: {
          tags,
          summary: "开启填报 (a period with its due date; lockAfterDue locks entry after it)",
          params: formParams,
          body: roundBody,
          response: { 201: formOut },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await service.openRound(actorOf(request), request.params.code, request.body)),
    );

    app.patch(
      "/api/forms/:code/periods/:period",
      {
        schema: {
          tags,
          summary: "修改截止日期或锁定",
          params: roundParams,
          body: roundPatchBody,
          response: { 200: formOut },
        },
      },
      (request) =>
        service.openRound(
          actorOf(request),
          request.params.code,
          { ...request.body, periodCode: request.params.period },
          true,
        ),
    );
  };
}
