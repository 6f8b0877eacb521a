/** Stored webhooks and their delivery log (DynamoDB in both modes). */
import type { DeliveryView, WebhookEventType, WebhookFormat, WebhookSelector } from "@assay/shared";
import type { EnvRef } from "./refs.ts";

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
