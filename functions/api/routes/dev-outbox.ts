/**
 * `GET /v1/dev/outbox`: the emails local mode "sent" (verification, reset, invitation links).
 * Mounted only when the API runs with a local outbox (never in AWS).
 */
import type { Hono } from "hono";
import * as z from "zod";
import type { OutboxMailer } from "../../core/ports.ts";
import type { ApiEnv } from "../context.ts";
import { defineRoute } from "../route-spec.ts";
import { parseInput } from "../validate.ts";

export const devOutboxSpecs = {
  list: defineRoute({
    method: "get",
    path: "/v1/dev/outbox",
    summary: "Local mode only: emails sent, oldest first",
    tag: "dev",
    auth: "none",
    query: z.object({ to: z.string().max(254).optional() }).strict(),
    responses: {
      200: {
        description: "Emails",
        schema: z.object({
          items: z.array(
            z.object({
              id: z.number(),
              to: z.string(),
              subject: z.string(),
              text: z.string(),
              sentAt: z.string(),
            }),
          ),
        }),
      },
    },
  }),
};

export function devOutboxRoutes(app: Hono<ApiEnv>, outbox: OutboxMailer) {
  app.get(devOutboxSpecs.list.path, (c) => {
    const { to } = parseInput(devOutboxSpecs.list.query, c.req.query(), "query");
    return c.json({ items: outbox.messages(to) });
  });
}
