/**
 * Local wiring of the workflow engine's control-plane half (its stores come with every other
 * table store from createDynamoStores): the config encryption key (generated once into the data
 * directory, mode 0600) and the schedule timer that plays EventBridge's part, sweeping at the
 * start of every minute.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Clock, Logger } from "../core/ports.ts";
import type { ScheduleDispatcher } from "../core/schedules.ts";
import { parseSecretKey } from "../core/secret-box.ts";

/** Reads `config.key` from `dataDir`, creating a random one (0600) the first time. */
export function loadOrCreateConfigKey(dataDir: string): Uint8Array {
  const file = join(dataDir, "config.key");
  if (!existsSync(file))
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return parseSecretKey(readFileSync(file, "utf8"));
}

/** Runs `dispatcher` at the start of every minute (plus once at start); returns a stop. */
export function startScheduleTimer(
  dispatcher: ScheduleDispatcher | undefined,
  options: { clock: Clock; logger: Logger; intervalMs?: number },
): () => void {
  if (dispatcher === undefined) return () => {};
  let cancel = () => {};
  let stopped = false;
  const sweep = () =>
    dispatcher
      .dispatch()
      .catch((error: unknown) => options.logger.error({ err: String(error) }, "schedule sweep failed"));
  const arm = () => {
    if (stopped) return;
    const interval = options.intervalMs ?? 60_000;
    // Just after the boundary, so the tick that just passed is due.
    const delay = interval - (options.clock.now() % interval) + 50;
    cancel = options.clock.after(delay, () => {
      void sweep().finally(arm);
    });
  };
  void sweep();
  arm();
  return () => {
    stopped = true;
    cancel();
  };
}
