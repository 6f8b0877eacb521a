/**
 * Mailer for local mode: keeps the most recent messages in memory, newest last, for
 * `GET /v1/dev/outbox` (mounted only in local mode) and for tests. Nothing leaves the machine.
 */
import type { OutboxMail, OutboxMailer } from "../../core/ports.ts";

export type { OutboxMail, OutboxMailer };

/** Creates an in-memory outbox holding at most `capacity` messages (default 200). */
export const createOutboxMailer = (options: { capacity?: number; now?: () => number } = {}): OutboxMailer => {
  const capacity = options.capacity ?? 200;
  const now = options.now ?? Date.now;
  const outbox: OutboxMail[] = [];
  let nextId = 1;
  return {
    async send(mail) {
      outbox.push({ ...mail, id: nextId++, sentAt: new Date(now()).toISOString() });
      if (outbox.length > capacity) outbox.splice(0, outbox.length - capacity);
    },
    messages(to) {
      const wanted = to?.trim().toLowerCase();
      return outbox.filter((m) => wanted === undefined || m.to === wanted);
    },
  };
};
