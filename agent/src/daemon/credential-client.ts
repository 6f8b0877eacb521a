/**
 * Credential requests from the agent's side of the stream: a run asks once, before its first
 * step, for the values its workflow references; the answer comes back as a CredentialResponse
 * matched by request id. Requests still unanswered when a new stream is welcomed are sent again
 * (the old stream may have lost them); an answer that never comes fails the run after
 * `timeoutMs` rather than hanging it. Values are handed to the run and kept nowhere else.
 */
import { randomUUID } from "node:crypto";
import type { AgentMessage, CredentialResponse, CredentialValue } from "@assay/shared/proto";
import type { Clock } from "./clock.ts";

export type CredentialAnswer = { ok: true; values: CredentialValue[] } | { ok: false; error: string };

interface Pending {
  message: AgentMessage;
  settle(answer: CredentialAnswer): void;
}

export function createCredentialClient(options: { clock: Clock; onOutput(): void; timeoutMs?: number }) {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pending = new Map<string, Pending>();
  const outbox: AgentMessage[] = [];

  return {
    /** Asks for `names` and the credentials under `prefixes` for `executionId`. Never rejects. */
    fetch(executionId: string, names: string[], prefixes: string[]): Promise<CredentialAnswer> {
      const requestId = randomUUID();
      const message: AgentMessage = {
        kind: { $case: "credentialRequest", value: { requestId, executionId, names, prefixes } },
      };
      return new Promise((resolve) => {
        const cancel = options.clock.after(timeoutMs, () =>
          settle({
            ok: false,
            error: `no answer from the control plane within ${Math.round(timeoutMs / 1000)} s`,
          }),
        );
        const settle = (answer: CredentialAnswer) => {
          if (!pending.delete(requestId)) return;
          cancel();
          resolve(answer);
        };
        pending.set(requestId, { message, settle });
        outbox.push(message);
        options.onOutput();
      });
    },
    handleResponse(response: CredentialResponse) {
      const waiting = pending.get(response.requestId);
      if (waiting === undefined) return; // a duplicate answer after a resend
      waiting.settle(
        response.error ? { ok: false, error: response.error } : { ok: true, values: response.values },
      );
    },
    handleWelcome() {
      outbox.length = 0;
      for (const waiting of pending.values()) outbox.push(waiting.message);
    },
    next: (): AgentMessage | undefined => outbox.shift(),
  };
}

export type CredentialClient = ReturnType<typeof createCredentialClient>;
