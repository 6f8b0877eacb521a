/**
 * Bus subjects of the execution lifecycle. The bus only rings doorbells: every state lives in
 * the store, so a lost message costs latency, never work.
 */
import type { EnvRef } from "../ports/refs.ts";

export const workSubject = ({ orgId, envId }: EnvRef): string => `env.${orgId}.${envId}.work`;
export const statusSubject = (executionId: string): string => `exec.${executionId}.status`;

/**
 * What a doorbell says. It may name the execution it rings for: an ingress then claims that
 * execution by key (one conditional write) instead of querying the queue first. Only executions
 * outside `spec.concurrency` groups are offered (a group's slot is taken by the queue query's
 * claim). `freed`: a run ended and gave back its run slot, so queued work of the environment
 * may now start; nothing else changed (no abort or pause to forward). An empty doorbell
 * (`look`) means "look at the queue and at abort and pause requests".
 */
export type Doorbell = { kind: "offer"; executionId: string } | { kind: "freed" } | { kind: "look" };

export const encodeWorkOffer = (executionId: string): Uint8Array =>
  new TextEncoder().encode(JSON.stringify({ offer: executionId }));

export const encodeSlotFreed = (): Uint8Array => new TextEncoder().encode(JSON.stringify({ freed: true }));

/** Reads a doorbell; anything unreadable counts as `look` (the widest). */
export function decodeDoorbell(data: Uint8Array): Doorbell {
  if (data.length === 0 || data.length > 256) return { kind: "look" };
  try {
    const value = JSON.parse(new TextDecoder().decode(data)) as { offer?: unknown; freed?: unknown };
    if (typeof value.offer === "string" && value.offer.length > 0)
      return { kind: "offer", executionId: value.offer };
    return value.freed === true ? { kind: "freed" } : { kind: "look" };
  } catch {
    return { kind: "look" };
  }
}
