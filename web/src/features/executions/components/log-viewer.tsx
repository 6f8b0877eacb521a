/**
 * The log of an execution: virtualised (100k+ lines), ANSI colours, per-step filter, search
 * with next/previous, follow mode and download. "All steps" opens a collapsible section per
 * top-level step, and lines of parallel workers and services are prefixed with their name
 * (hooks/log-sections.ts). Follow turns itself off when the user scrolls
 * up and back on when they scroll to the end. Keys: "/" searches, Enter / Shift+Enter move
 * between matches, Escape clears the search, "f" toggles follow.
 */
import type { StepState } from "@assay/shared";
import { type KeyboardEvent, useDeferredValue, useEffect, useId, useMemo, useRef, useState } from "react";
import { errorMessage } from "../../../api/errors.ts";
import { Button } from "../../../components/ui/button.tsx";
import { VirtualList, type VirtualListHandle } from "../../../components/virtual-list.tsx";
import { layoutLog } from "../hooks/log-sections.ts";
import type { LogStream } from "../hooks/use-log-stream.ts";
import { LogLine, LogSectionHeader } from "./log-line.tsx";
import { subtreeRefs } from "./step-tree.tsx";

const ROW = 20;

export function LogViewer({
  stream,
  steps,
  step,
  onStepChange,
  running,
  onDownload,
}: {
  stream: LogStream;
  steps: StepState[];
  step: string | undefined;
  onStepChange: (ref: string | undefined) => void;
  running: boolean;
  onDownload: (step: string | undefined) => Promise<void>;
}) {
  const { store, version } = stream;
  const list = useRef<VirtualListHandle>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const id = useId();
  const [follow, setFollow] = useState(running);
  const [query, setQuery] = useState("");
  const deferredQuery = useDeferredValue(query.trim().toLowerCase());
  const [current, setCurrent] = useState(0);
  const [downloadError, setDownloadError] = useState<string>();

  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const toggleSection = (ref: string) =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (!next.delete(ref)) next.add(ref);
      return next;
    });

  // Rows shown: sections and their lines, or the lines of the chosen step and its children.
  const { rows, prefixes } = useMemo(() => {
    void version;
    return layoutLog({
      lineSteps: (i) => store.line(i).step,
      count: store.length,
      steps,
      only: step ? subtreeRefs(steps, step) : undefined,
      collapsed,
    });
  }, [store, version, step, steps, collapsed]);
  const count = rows.length;
  const lines = useMemo(() => rows.filter((r) => typeof r === "number").length, [rows]);

  const matches = useMemo(() => {
    void version;
    if (!deferredQuery) return [];
    const found: number[] = [];
    for (let row = 0; row < count; row++) {
      const index = rows[row];
      if (typeof index === "number" && store.line(index).plain.toLowerCase().includes(deferredQuery))
        found.push(row);
    }
    return found;
  }, [store, version, deferredQuery, rows, count]);
  const byRef = useMemo(() => new Map(steps.map((s) => [s.ref, s])), [steps]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: new lines (version, count) must move the view
  useEffect(() => {
    if (follow) list.current?.scrollToBottom();
  }, [follow, version, count]);

  // A new search jumps to its first match.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new query moves the view
  useEffect(() => {
    setCurrent(0);
    const first = matches[0];
    if (first !== undefined) {
      setFollow(false);
      list.current?.scrollToIndex(first);
    }
  }, [deferredQuery]);

  const go = (delta: number) => {
    if (matches.length === 0) return;
    const next = (current + delta + matches.length) % matches.length;
    setCurrent(next);
    setFollow(false);
    list.current?.scrollToIndex(matches[next] ?? 0);
  };

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      go(event.shiftKey ? -1 : 1);
    } else if (event.key === "Escape") {
      setQuery("");
    }
  };

  const onViewerKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
    if (event.key === "/") {
      event.preventDefault();
      searchInput.current?.focus();
    } else if (event.key === "f" && !event.ctrlKey && !event.metaKey) {
      setFollow((f) => !f);
    }
  };

  const currentRow = matches[current];
  const download = async () => {
    setDownloadError(undefined);
    try {
      await onDownload(step);
    } catch (error) {
      setDownloadError(errorMessage(error));
    }
  };

  return (
    <section className="logs" aria-label="Logs" onKeyDown={onViewerKey}>
      <div className="log-toolbar">
        <label className="log-step">
          <span className="visually-hidden">Step</span>
          <select
            value={step ?? ""}
            onChange={(e) => onStepChange(e.target.value || undefined)}
            aria-label="Show logs of step"
          >
            <option value="">All steps</option>
            {steps.map((s) => (
              <option key={s.ref} value={s.ref}>
                {"\u2003".repeat(s.ref.split(".").length - 1)}
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <div className="log-search">
          <label htmlFor={`${id}-search`} className="visually-hidden">
            Search logs
          </label>
          <input
            id={`${id}-search`}
            ref={searchInput}
            type="search"
            placeholder="Search logs ( / )"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={onSearchKey}
            aria-describedby={`${id}-matches`}
          />
          <span id={`${id}-matches`} className="muted small log-matches" aria-live="polite">
            {deferredQuery ? (matches.length ? `${current + 1} of ${matches.length}` : "No matches") : ""}
          </span>
          <Button size="small" onClick={() => go(-1)} disabled={!matches.length} aria-label="Previous match">
            ↑
          </Button>
          <Button size="small" onClick={() => go(1)} disabled={!matches.length} aria-label="Next match">
            ↓
          </Button>
        </div>
        <div className="log-actions">
          <Button size="small" aria-pressed={follow} onClick={() => setFollow((f) => !f)}>
            Follow
          </Button>
          <Button size="small" onClick={download}>
            Download
          </Button>
        </div>
      </div>
      {downloadError ? (
        <div className="form-error" role="alert">
          {downloadError}
        </div>
      ) : null}
      <VirtualList
        ref={list}
        className="log-view"
        role="log"
        aria-label="Log output"
        aria-live="off"
        count={count}
        rowHeight={ROW}
        onUserScroll={(atBottom) => setFollow(atBottom && running)}
        renderRow={(row) => {
          const entry = rows[row] ?? 0;
          if (typeof entry !== "number") {
            return (
              <LogSectionHeader
                key={`h-${row}`}
                step={byRef.get(entry.header)}
                fallback={entry.header}
                collapsed={collapsed.has(entry.header)}
                onToggle={() => toggleSection(entry.header)}
                height={ROW}
              />
            );
          }
          const line = store.line(entry);
          return (
            <LogLine
              key={entry}
              number={entry + 1}
              raw={line.raw}
              style={line.style}
              stderr={line.stream === "stderr"}
              prefix={prefixes.get(entry)}
              query={deferredQuery}
              current={row === currentRow}
              height={ROW}
            />
          );
        }}
      />
      <div className="log-status muted small" aria-live="polite">
        {stream.state === "connecting"
          ? "Connecting to the log…"
          : stream.state === "error"
            ? `The log stream failed: ${stream.error}`
            : store.length === 0
              ? stream.state === "ended"
                ? "No log output."
                : "Waiting for output…"
              : `${lines.toLocaleString()} lines${stream.state === "live" && running ? " · live" : ""}`}
      </div>
    </section>
  );
}
