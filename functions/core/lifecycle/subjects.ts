/**
 * Bus subjects of the execution lifecycle. The bus only rings doorbells: every state lives in
 * the store, so a lost message costs latency, never work.
 */
import type { EnvRef } from "../ports/refs.ts";

export const workSubject = ({ orgId, envId }: EnvRef): string => `env.${orgId}.${envId}.work`;
export const statusSubject = (executionId: string): string => `exec.${executionId}.status`;

/**
 * A doorbell may name the execution it rings for: an ingress then claims that execution by key
 * (one conditional write) instead of querying the queue first. Only executions outside
 * `spec.concurrency` groups are offered (a group's slot is taken by the queue query's claim).
 * An empty doorbell means "look at the queue" (and at abort requests).
 */
export const encodeWorkOffer = (executionId: string): Uint8Array =>
  new TextEncoder().encode(JSON.stringify({ offer: executionId }));

export function decodeWorkOffer(data: Uint8Array): string | undefined {
  if (data.length === 0 || data.length > 256) return undefined;
  try {
    const value = JSON.parse(new TextDecoder().decode(data)) as { offer?: unknown };
    return typeof value.offer === "string" && value.offer.length > 0 ? value.offer : undefined;
  } catch {
    return undefined;
  }
}
