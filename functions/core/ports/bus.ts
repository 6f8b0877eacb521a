/** A message received from the bus. */
export interface BusMessage {
  subject: string;
  data: Uint8Array;
}

/**
 * Live signals (core NATS semantics: at most once, no persistence). Losing a message costs
 * latency, never data: every consumer has a storage-backed fallback.
 * Subjects: `env.{org}.{env}.work`, `exec.{id}.log`, `exec.{id}.status`.
 */
export interface Bus {
  publish(subject: string, data: Uint8Array): Promise<void>;
  /** Subscribes to a subject (`*` matches one token, `>` the rest); returns an unsubscribe. */
  subscribe(subject: string, handler: (message: BusMessage) => void): Promise<() => void>;
  close(): Promise<void>;
}
