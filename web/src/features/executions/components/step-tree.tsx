/**
 * The step tree of an execution: status, duration, exit code, warnings and the failure message
 * of every step, nested as the workflow nests them. Choosing a step filters the log to it (and
 * its children); choosing it again shows every step.
 */
import type { StepState } from "@assay/shared";
import { StatusBadge } from "../../../components/status-badge.tsx";
import { Duration } from "../../../components/time.tsx";

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
}: {
  steps: StepState[];
  selected: string | undefined;
  onSelect: (ref: string | undefined) => void;
}) {
  const children = childrenByParent(steps);
  if (steps.length === 0) return <p className="muted">This execution has no steps.</p>;
  const render = (parent: string | undefined) => (
    <ul className="step-list">
      {(children.get(parent) ?? []).map((step) => (
        <li key={step.ref}>
          <button
            type="button"
            className="step"
            aria-pressed={selected === step.ref}
            onClick={() => onSelect(selected === step.ref ? undefined : step.ref)}
            title={selected === step.ref ? "Show the logs of every step" : "Show only this step's logs"}
          >
            <StatusBadge status={step.status} kind="step" />
            <span className="step-name">{step.name}</span>
            <span className="step-meta muted small">
              {step.startedAt ? (
                <Duration from={step.startedAt} to={step.finishedAt} running={step.status === "running"} />
              ) : null}
              {step.exitCode !== undefined && step.exitCode !== 0 ? ` · exit ${step.exitCode}` : ""}
            </span>
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
      ))}
    </ul>
  );
  return <nav aria-label="Steps">{render(undefined)}</nav>;
}
