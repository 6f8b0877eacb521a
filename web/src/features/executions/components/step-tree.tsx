/**
 * The step tree of an execution: status, duration, exit code, retries, CPU and memory peaks,
 * warnings and the failure message of every step, nested as the workflow nests them: parallel
 * workers (`r2.w1`) and services (`s1`, `r2.s1`, fanned-out instances `s1.2`) sit under their
 * parent, marked as such, and a parent with workers sums them up. Choosing a step filters the
 * log to it (and its children); choosing it again shows every step.
 */
import type { StepState } from "@assay/shared";
import { StatusBadge } from "../../../components/status-badge.tsx";
import { Duration } from "../../../components/time.tsx";
import { formatBytes } from "../../../lib/format.ts";

export type StepKind = "step" | "worker" | "service";

/** What a node is, from its ref: the shared planner names workers `.wN` and services `sN`. */
export function stepKind(ref: string): StepKind {
  const parts = ref.split(".");
  const last = parts.at(-1) ?? "";
  if (/^w\d+$/.test(last)) return "worker";
  if (/^s\d+$/.test(last)) return "service";
  if (/^\d+$/.test(last) && /^s\d+$/.test(parts.at(-2) ?? "")) return "service";
  return "step";
}

export interface Retry {
  attempt: number;
  of: number;
}

function WorkerSummary({ workers }: { workers: StepState[] }) {
  const count = (status: StepState["status"]) => workers.filter((w) => w.status === status).length;
  const parts = [
    `${workers.length} worker${workers.length === 1 ? "" : "s"}`,
    count("running") ? `${count("running")} running` : "",
    count("passed") ? `${count("passed")} passed` : "",
    count("failed") + count("timeout") ? `${count("failed") + count("timeout")} failed` : "",
  ].filter(Boolean);
  return <span className="step-summary muted small">{parts.join(" · ")}</span>;
}

export function childrenByParent(steps: StepState[]): Map<string | undefined, StepState[]> {
  const map = new Map<string | undefined, StepState[]>();
  for (const step of steps) {
    const list = map.get(step.parentRef) ?? [];
    list.push(step);
    map.set(step.parentRef, list);
  }
  return map;
}

/** A step's ref and all its descendants' refs. */
export function subtreeRefs(steps: StepState[], ref: string): Set<string> {
  const children = childrenByParent(steps);
  const refs = new Set<string>();
  const visit = (r: string) => {
    refs.add(r);
    for (const child of children.get(r) ?? []) visit(child.ref);
  };
  visit(ref);
  return refs;
}

export function StepTree({
  steps,
  selected,
  onSelect,
  retries,
}: {
  steps: StepState[];
  selected: string | undefined;
  onSelect: (ref: string | undefined) => void;
  /** Retries seen in the log, by step ref. */
  retries?: ReadonlyMap<string, Retry>;
}) {
  const children = childrenByParent(steps);
  if (steps.length === 0) return <p className="muted">This execution has no steps.</p>;
  const render = (parent: string | undefined) => (
    <ul className="step-list">
      {(children.get(parent) ?? []).map((step) => {
        const kind = stepKind(step.ref);
        const retry = retries?.get(step.ref);
        const workers = (children.get(step.ref) ?? []).filter((c) => stepKind(c.ref) === "worker");
        const peaks = [
          step.cpuPeakPercent !== undefined ? `CPU ${Math.round(step.cpuPeakPercent)}%` : "",
          step.memoryPeakBytes !== undefined ? `mem ${formatBytes(step.memoryPeakBytes)}` : "",
        ].filter(Boolean);
        return (
          <li key={step.ref} className={`step-node step-${kind}`}>
            <button
              type="button"
              className="step"
              aria-pressed={selected === step.ref}
              onClick={() => onSelect(selected === step.ref ? undefined : step.ref)}
              title={selected === step.ref ? "Show the logs of every step" : "Show only this step's logs"}
            >
              <StatusBadge status={step.status} kind="step" />
              <span className="step-name">
                {kind !== "step" ? <span className={`step-kind step-kind-${kind}`}>{kind}</span> : null}
                {step.name}
              </span>
              <span className="step-meta muted small">
                {step.startedAt ? (
                  <Duration from={step.startedAt} to={step.finishedAt} running={step.status === "running"} />
                ) : null}
                {step.exitCode !== undefined && step.exitCode !== 0 && step.status !== "passed"
                  ? ` · exit ${step.exitCode}`
                  : ""}
              </span>
              {retry || peaks.length > 0 || workers.length > 0 ? (
                <span className="step-extra">
                  {retry ? (
                    <span
                      className="badge badge-warning"
                      title={`Retried ${retry.attempt} time${retry.attempt === 1 ? "" : "s"} (retry.count ${retry.of})`}
                    >
                      retry {retry.attempt}/{retry.of}
                    </span>
                  ) : null}
                  {peaks.length > 0 ? (
                    <span className="muted small" title="Peak CPU (100% = one core) and peak memory">
                      {peaks.join(" · ")}
                    </span>
                  ) : null}
                  {workers.length > 0 ? <WorkerSummary workers={workers} /> : null}
                </span>
              ) : null}
            </button>
            {step.message ? <p className="step-message">{step.message}</p> : null}
            {step.warnings.length > 0 ? (
              <ul className="step-warnings" aria-label={`Warnings of ${step.name}`}>
                {step.warnings.map((w) => (
                  <li key={w}>⚠ {w}</li>
                ))}
              </ul>
            ) : null}
            {children.has(step.ref) ? render(step.ref) : null}
          </li>
        );
      })}
    </ul>
  );
  return <nav aria-label="Steps">{render(undefined)}</nav>;
}
