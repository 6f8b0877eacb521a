/**
 * The retention sweep's trigger: on every tick, one `retention` job per environment of each
 * organization. Locally a timer drives it; in AWS an hourly schedule calls `runNow`
 * (entries/retention-sweep.ts); the job itself is the same SQS handler in both.
 */
import { every } from "@assay/shared";
import { type Clock, type JobQueue, type Logger, type OrgStore, systemClock } from "../core/ports.ts";

export interface RetentionScheduleOptions {
  orgStore: Pick<OrgStore, "listEnvs">;
  jobs: JobQueue;
  logger: Logger;
  /** The organizations to sweep (OrgStore.listOrgIds). */
  orgIds: () => Promise<string[]>;
  /** Time between sweeps in milliseconds (default one hour); 0 or less disables the timer. */
  intervalMs?: number;
  /** Drives the timer and dates the sweeps' job ids (default the system clock). */
  clock?: Clock;
}

export function startRetentionSchedule(options: RetentionScheduleOptions) {
  const { orgStore, jobs, logger } = options;
  const intervalMs = options.intervalMs ?? 3_600_000;
  const clock = options.clock ?? systemClock;

  /** Enqueues one retention job per environment; returns how many were sent. */
  const runNow = async (): Promise<number> => {
    let sent = 0;
    const day = new Date(clock.now()).toISOString().slice(0, 13);
    for (const orgId of await options.orgIds()) {
      for (const env of await orgStore.listEnvs(orgId)) {
        await jobs.send({
          kind: "retention",
          id: `${orgId}.${env.id}.${day}`,
          payload: { orgId, envId: env.id },
        });
        sent++;
      }
    }
    return sent;
  };

  const stop =
    intervalMs > 0
      ? every(clock, intervalMs, () => {
          runNow().catch((error: unknown) => logger.error({ err: String(error) }, "retention sweep failed"));
        })
      : () => {};
  return { runNow, stop };
}
