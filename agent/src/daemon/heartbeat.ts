/**
 * Liveness of one stream. The agent sends a heartbeat every `intervalMs`; the server does the
 * same. Any received message counts as life (`touch()`); when nothing at all arrives for
 * `deadAfterMs` the stream is declared dead (a half-open TCP path delivers no error, only
 * silence), so the link cancels it and reconnects.
 */
import type { Clock } from "./clock.ts";

export interface HeartbeatOptions {
  clock: Clock;
  intervalMs: number;
  deadAfterMs: number;
  /** Sends one heartbeat. */
  beat(): void;
  /** Called once when the stream has been silent for `deadAfterMs`. */
  onDead(): void;
}

/** A running heartbeat; `stop()` it when the stream ends. */
export interface Heartbeat {
  touch(): void;
  stop(): void;
}

export const startHeartbeat = (options: HeartbeatOptions): Heartbeat => {
  const { clock } = options;
  let stopped = false;
  let cancelBeat = () => {};
  let cancelDead = () => {};
  const scheduleBeat = () => {
    cancelBeat = clock.after(options.intervalMs, () => {
      if (stopped) return;
      options.beat();
      scheduleBeat();
    });
  };
  const armDead = () => {
    cancelDead();
    cancelDead = clock.after(options.deadAfterMs, () => {
      if (stopped) return;
      stopped = true;
      cancelBeat();
      options.onDead();
    });
  };
  scheduleBeat();
  armDead();
  return {
    touch() {
      if (!stopped) armDead();
    },
    stop() {
      stopped = true;
      cancelBeat();
      cancelDead();
    },
  };
};
