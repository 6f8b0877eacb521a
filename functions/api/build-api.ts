/**
 * The API app over a built core: the one way the local server and the Lambda entries mount it.
 * They differ only in where the caller's address comes from, the dev outbox, and how long a
 * log follow may stay open.
 */
import type { Context } from "hono";
import type { Core } from "../core/index.ts";
import type { OutboxMailer } from "../core/ports.ts";
import { createApiApp } from "./app.ts";

export interface BuildApiOptions {
  /** The client's IP address for rate limits and the audit log (socket or API Gateway). */
  clientIp: (c: Context) => string | undefined;
  /** Local mode only: the mail outbox, served at GET /v1/dev/outbox. */
  outbox?: OutboxMailer;
  /** Longest a live log follow stays open, in milliseconds (unset: until the execution ends). */
  followMaxMs?: number;
}

export const buildApi = (core: Core, options: BuildApiOptions) => createApiApp({ ...core, ...options });
