/**
 * Deterministic ids for `execute` children. The agent resends a child-start request (same
 * request id) after a reconnect, possibly to another ingress; every ingress derives the same
 * execution id for the same child, so the store's conditional create starts it once. The id is
 * a ULID: its time part is when the parent started (a field no later write changes: a step's
 * start time could arrive between a request and its resend); its random part is a digest of
 * the parent, the request and the child's position in it. A retried `execute` step sends a new
 * request id, so its children are new executions.
 */
import { createHash } from "node:crypto";
import type { Execution } from "@assay/shared";
import { encodeTime } from "ulid";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The id of child `position` (e.g. `0/name`) of request `requestId` of `parent`. */
export const childExecutionId = (
  parent: Pick<Execution, "id" | "createdAt" | "startedAt">,
  requestId: string,
  position: string,
): string => {
  const at = Date.parse(parent.startedAt ?? parent.createdAt);
  const digest = createHash("sha256").update(`${parent.id}\u0000${requestId}\u0000${position}`).digest();
  let random = "";
  for (let i = 0; i < 16; i++) random += CROCKFORD[(digest[i] ?? 0) & 31];
  return `${encodeTime(Number.isFinite(at) ? at : 0, 10)}${random}`;
};
