/**
 * Requests the agent sends on its stream and answers matched by request id (credentials, child
 * executions). Unanswered requests are queued again when a new stream is welcomed (the old one
 * may have lost them); one that is never answered settles with `timedOut()` after `timeoutMs`,
 * so the run waiting on it never hangs.
 */
import type { AgentMessage } from "@assay/shared/proto";
import type { Clock } from "./clock.ts";

export function createStreamRequests<Answer>(options: {
  clock: Clock;
  onOutput(): void;
  timeoutMs: number;
  /** The answer of a request nobody answered in time. */
  timedOut(seconds: number): Answer;
}) {
  const pending = new Map<string, { message: AgentMessage; settle(answer: Answer): void }>();
  const outbox: AgentMessage[] = [];
  return {
    /** Queues `message` (carrying `requestId`); resolves with its answer. Never rejects. */
    send(requestId: string, message: AgentMessage): Promise<Answer> {
      return new Promise((resolve) => {
        const cancel = options.clock.after(options.timeoutMs, () =>
          settle(options.timedOut(Math.round(options.timeoutMs / 1000))),
        );
        const settle = (answer: Answer) => {
          if (!pending.delete(requestId)) return;
          cancel();
          resolve(answer);
        };
        pending.set(requestId, { message, settle });
        outbox.push(message);
        options.onOutput();
      });
    },
    /** Settles a request; a duplicate answer (after a resend) is ignored. */
    answer(requestId: string, answer: Answer) {
      pending.get(requestId)?.settle(answer);
    },
    handleWelcome() {
      outbox.length = 0;
      for (const waiting of pending.values()) outbox.push(waiting.message);
    },
    next: (): AgentMessage | undefined => outbox.shift(),
  };
}
