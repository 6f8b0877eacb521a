/**
 * `/webhooks` of an environment (admin): create (JSON), apply a Testkube `kind: Webhook`
 * document (PUT, YAML or JSON), list, get, update, delete, read the delivery log, redeliver.
 */
import {
  AppError,
  CreateWebhook,
  DeliveryView,
  UpdateWebhook,
  WebhookName,
  WebhookView,
} from "@assay/shared";
import type { Hono } from "hono";
import * as z from "zod";
import type { WebhookService } from "../../core/webhooks/service.ts";
import { requestMeta } from "../auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute, relativeTo } from "../route-spec.ts";
import { authErrors, EnvParams, itemsOf } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";
import { ENV_BASE } from "./envs.ts";

const WebhookParams = EnvParams.extend({ name: WebhookName });
const DeliveryParams = WebhookParams.extend({
  id: z.string().regex(/^[0-9A-Z]{26}$/, "must be a delivery id"),
});
const DeliveriesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .regex(/^[0-9A-Z]{26}$/, "invalid pagination cursor")
      .optional(),
  })
  .strict();
const Applied = z.object({ webhook: WebhookView, warnings: z.array(z.string()) });
const BASE = `${ENV_BASE}/webhooks`;

export const webhookSpecs = {
  create: defineRoute({
    method: "post",
    path: BASE,
    summary: "Create a webhook (admin); the secret is write-only",
    tag: "webhooks",
    auth: "any",
    params: EnvParams,
    body: CreateWebhook,
    responses: { 201: { description: "Created", schema: WebhookView }, ...authErrors },
  }),
  list: defineRoute({
    method: "get",
    path: BASE,
    summary: "Webhooks of the environment (admin; secrets masked)",
    tag: "webhooks",
    auth: "any",
    params: EnvParams,
    responses: { 200: { description: "Webhooks", schema: itemsOf(WebhookView) }, ...authErrors },
  }),
  get: defineRoute({
    method: "get",
    path: `${BASE}/:name`,
    summary: "A webhook (admin; secrets masked)",
    tag: "webhooks",
    auth: "any",
    params: WebhookParams,
    responses: { 200: { description: "The webhook", schema: WebhookView }, ...authErrors },
  }),
  apply: defineRoute({
    method: "put",
    path: `${BASE}/:name`,
    summary: "Create or replace a webhook from a Testkube kind: Webhook document (admin)",
    tag: "webhooks",
    auth: "any",
    params: WebhookParams,
    body: z.string().describe("A Testkube Webhook document whose metadata.name is the path's name"),
    bodyContentType: "application/yaml",
    responses: {
      200: { description: "Replaced", schema: Applied },
      201: { description: "Created", schema: Applied },
      ...authErrors,
    },
  }),
  update: defineRoute({
    method: "patch",
    path: `${BASE}/:name`,
    summary: "Change a webhook (admin); `secret: null` removes the secret",
    tag: "webhooks",
    auth: "any",
    params: WebhookParams,
    body: UpdateWebhook,
    responses: { 200: { description: "Updated", schema: WebhookView }, ...authErrors },
  }),
  delete: defineRoute({
    method: "delete",
    path: `${BASE}/:name`,
    summary: "Delete a webhook (admin)",
    tag: "webhooks",
    auth: "any",
    params: WebhookParams,
    responses: { 204: { description: "Deleted" }, ...authErrors },
  }),
  deliveries: defineRoute({
    method: "get",
    path: `${BASE}/:name/deliveries`,
    summary: "The webhook's delivery log, newest attempt first (admin)",
    tag: "webhooks",
    auth: "any",
    params: WebhookParams,
    query: DeliveriesQuery,
    responses: {
      200: {
        description: "Attempts",
        schema: z.object({ items: z.array(DeliveryView), nextCursor: z.string().optional() }),
      },
      ...authErrors,
    },
  }),
  redeliver: defineRoute({
    method: "post",
    path: `${BASE}/:name/deliveries/:id/redeliver`,
    summary: "Send the event of a logged attempt again (admin)",
    tag: "webhooks",
    auth: "any",
    params: DeliveryParams,
    responses: {
      202: { description: "Queued", schema: z.object({ deliveryId: z.string() }) },
      ...authErrors,
    },
  }),
};

export function webhookRoutes(scoped: Hono<ApiEnv>, deps: ApiDeps) {
  const at = (path: string) => relativeTo(ENV_BASE, path);
  const service = (): WebhookService => {
    if (deps.webhooks === undefined) throw new AppError("not_found", "webhooks are not available here");
    return deps.webhooks;
  };
  const nameOf = (param: string | undefined) => parseInput(WebhookName, param, "name");

  scoped.post(at(webhookSpecs.create.path), async (c) => {
    const body = parseInput(CreateWebhook, await readJson(c.req.raw), "body");
    return c.json(await service().create(c.get("principal"), c.get("envId"), body, requestMeta(c)), 201);
  });

  scoped.get(at(webhookSpecs.list.path), async (c) =>
    c.json({ items: await service().list(c.get("principal"), c.get("envId")) }),
  );

  scoped.get(at(webhookSpecs.get.path), async (c) =>
    c.json(await service().get(c.get("principal"), c.get("envId"), nameOf(c.req.param("name")))),
  );

  scoped.put(at(webhookSpecs.apply.path), async (c) => {
    const name = nameOf(c.req.param("name"));
    const result = await service().apply(
      c.get("principal"),
      c.get("envId"),
      await c.req.text(),
      name,
      requestMeta(c),
    );
    return c.json({ webhook: result.webhook, warnings: result.warnings }, result.created ? 201 : 200);
  });

  scoped.patch(at(webhookSpecs.update.path), async (c) => {
    const name = nameOf(c.req.param("name"));
    const body = parseInput(UpdateWebhook, await readJson(c.req.raw), "body");
    return c.json(await service().update(c.get("principal"), c.get("envId"), name, body, requestMeta(c)));
  });

  scoped.delete(at(webhookSpecs.delete.path), async (c) => {
    await service().delete(c.get("principal"), c.get("envId"), nameOf(c.req.param("name")), requestMeta(c));
    return c.body(null, 204);
  });

  scoped.get(at(webhookSpecs.deliveries.path), async (c) => {
    const name = nameOf(c.req.param("name"));
    const query = parseInput(DeliveriesQuery, c.req.query(), "query");
    return c.json(await service().deliveries(c.get("principal"), c.get("envId"), name, query));
  });

  scoped.post(at(webhookSpecs.redeliver.path), async (c) => {
    const { name, id } = parseInput(DeliveryParams, c.req.param(), "path");
    return c.json(
      await service().redeliver(c.get("principal"), c.get("envId"), name, id, requestMeta(c)),
      202,
    );
  });
}
