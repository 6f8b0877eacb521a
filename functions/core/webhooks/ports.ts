/**
 * Ports of webhooks: the stored webhooks and their delivery log (DynamoDB in both modes), and
 * the sender that makes one outbound HTTP request with the network safety rules applied.
 */

import type { DeliveryView, WebhookEventType, WebhookFormat, WebhookSelector } from "@assay/shared";
import type { EnvRef } from "../ports/refs.ts";

/** A stored webhook. `secret` and sensitive header values are sealed when a key is configured. */
export interface WebhookRecord {
  orgId: string;
  envId: string;
  name: string;
  url: string;
  events: WebhookEventType[];
  selector?: WebhookSelector;
  headers: Record<string, string>;
  payloadTemplate?: string;
  format: WebhookFormat;
  secret?: string;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: 1 on create, +1 on every write. */
  version: number;
}

/** One attempt in the delivery log of a webhook. */
export type DeliveryRecord = DeliveryView & { orgId: string; envId: string; webhook: string };

export interface WebhookStore {
  /** Creates or replaces; with `expectedVersion` (0 = must not exist) else throws `aborted`. */
  put(webhook: WebhookRecord, expectedVersion?: number): Promise<void>;
  get(env: EnvRef, name: string): Promise<WebhookRecord | undefined>;
  list(env: EnvRef): Promise<WebhookRecord[]>;
  /** Deletes the webhook (its delivery log expires on its own); false when there was none. */
  delete(env: EnvRef, name: string): Promise<boolean>;
  /** Appends an attempt to the webhook's log; attempts expire after `retentionDays`. */
  appendDelivery(delivery: DeliveryRecord, retentionDays: number): Promise<void>;
  /** Newest attempts first, cursor paginated. */
  listDeliveries(
    env: EnvRef,
    webhook: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ items: DeliveryRecord[]; nextCursor?: string }>;
  getDelivery(env: EnvRef, webhook: string, id: string): Promise<DeliveryRecord | undefined>;
}

/** One outbound request. */
export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What came of a request: an answer (any status) or a failure before one. */
export type OutboundResult =
  | { ok: true; statusCode: number; latencyMs: number; excerpt: string }
  | { ok: false; refused: boolean; latencyMs: number; error: string };

/**
 * Sends webhook requests. Implementations refuse addresses the deployment forbids (`refused`),
 * follow no redirects, and bound the time and the bytes read of the answer.
 */
export interface WebhookSender {
  send(request: OutboundRequest): Promise<OutboundResult>;
  /** Throws `invalid_argument` when the URL itself is unacceptable (scheme, literal address). */
  checkUrl(url: string): void;
}
