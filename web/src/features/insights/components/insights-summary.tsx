/**
 * The headline numbers of a window: runs by outcome, the pass rate (aborted and canceled runs
 * are shown apart: someone stopped them, so they count neither way), and the p50 / p95 of
 * duration, queue time and resource peaks.
 */
import type { WorkflowInsights } from "@assay/shared";
import { cpu, duration, memory, percent } from "./format.ts";

type Totals = Pick<
  WorkflowInsights,
  | "runs"
  | "passed"
  | "failed"
  | "timeout"
  | "lost"
  | "aborted"
  | "canceled"
  | "passRate"
  | "durationMs"
  | "queueMs"
  | "cpuPeakPercent"
  | "memoryPeakBytes"
>;

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>
        <span className="stat-value">{value}</span>
        {detail ? <span className="stat-detail">{detail}</span> : null}
      </dd>
    </div>
  );
}

export function InsightsSummary({ totals }: { totals: Totals }) {
  const t = totals;
  const failing = [
    `${t.passed} passed`,
    `${t.failed} failed`,
    ...(t.timeout ? [`${t.timeout} timed out`] : []),
    ...(t.lost ? [`${t.lost} lost`] : []),
  ].join(", ");
  return (
    <dl className="stats" aria-label="Summary">
      <Stat label="Runs" value={String(t.runs)} detail={failing} />
      <Stat label="Pass rate" value={percent(t.passRate)} detail="of runs that could pass or fail" />
      <Stat
        label="Stopped"
        value={String(t.aborted + t.canceled)}
        detail={`${t.aborted} aborted, ${t.canceled} canceled; not in the pass rate`}
      />
      <Stat
        label="Duration"
        value={`p50 ${duration(t.durationMs.p50)}`}
        detail={`p95 ${duration(t.durationMs.p95)}`}
      />
      <Stat
        label="Queue time"
        value={`p50 ${duration(t.queueMs.p50)}`}
        detail={`p95 ${duration(t.queueMs.p95)}`}
      />
      <Stat
        label="Peaks (p95)"
        value={`CPU ${cpu(t.cpuPeakPercent.p95)}`}
        detail={`memory ${memory(t.memoryPeakBytes.p95)}`}
      />
    </dl>
  );
}
