/**
 * Credential requests from the agent's side of the stream: a run asks once, before its first
 * step, for the values its workflow references; the answer comes back as a CredentialResponse
 * matched by request id (resent on a new stream, failing the run after `timeoutMs` rather than
 * hanging it: stream-requests.ts). Values are handed to the run and kept nowhere else.
 */
import { randomUUID } from "node:crypto";
import type { CredentialResponse, CredentialValue } from "@assay/shared/proto";
import type { Clock } from "./clock.ts";
import { createStreamRequests } from "./stream-requests.ts";

export type CredentialAnswer = { ok: true; values: CredentialValue[] } | { ok: false; error: string };

export function createCredentialClient(options: { clock: Clock; onOutput(): void; timeoutMs?: number }) {
  const requests = createStreamRequests<CredentialAnswer>({
    ...options,
    timeoutMs: options.timeoutMs ?? 60_000,
    timedOut: (s) => ({ ok: false, error: `no answer from the control plane within ${s} s` }),
  });
  return {
    /** Asks for `names` and the credentials under `prefixes` for `executionId`. Never rejects. */
    fetch(executionId: string, names: string[], prefixes: string[]): Promise<CredentialAnswer> {
      const requestId = randomUUID();
      return requests.send(requestId, {
        kind: { $case: "credentialRequest", value: { requestId, executionId, names, prefixes } },
      });
    },
    handleResponse(response: CredentialResponse) {
      requests.answer(
        response.requestId,
        response.error ? { ok: false, error: response.error } : { ok: true, values: response.values },
      );
    },
    handleWelcome: requests.handleWelcome,
    next: requests.next,
  };
}

export type CredentialClient = ReturnType<typeof createCredentialClient>;
