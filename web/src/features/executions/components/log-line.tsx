/**
 * One rendered log line (line number, the writing worker or service as a prefix, ANSI colours,
 * search matches marked, a red-tinted edge and a spoken "stderr" label when the step wrote it to
 * stderr), and the header row of a step's section.
 */
import type { StepState } from "@assay/shared";
import { type CSSProperties, memo, type ReactNode } from "react";
import { StatusBadge } from "../../../components/status-badge.tsx";
import { type AnsiStyle, parseAnsi } from "../../../lib/ansi.ts";

const toCss = (style: AnsiStyle): CSSProperties | undefined => {
  if (
    !style.fg &&
    !style.bg &&
    !style.bold &&
    !style.dim &&
    !style.italic &&
    !style.underline &&
    !style.inverse
  )
    return undefined;
  const fg = style.inverse ? (style.bg ?? "#111827") : style.fg;
  const bg = style.inverse ? (style.fg ?? "#e5e7eb") : style.bg;
  return {
    color: fg,
    backgroundColor: bg,
    fontWeight: style.bold ? 700 : undefined,
    opacity: style.dim ? 0.7 : undefined,
    fontStyle: style.italic ? "italic" : undefined,
    textDecoration: style.underline ? "underline" : undefined,
  };
};

function mark(text: string, query: string, keyBase: string): ReactNode {
  if (!query) return text;
  const lower = text.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  let at = lower.indexOf(query, from);
  if (at < 0) return text;
  while (at >= 0) {
    if (at > from) parts.push(text.slice(from, at));
    parts.push(<mark key={`${keyBase}-${at}`}>{text.slice(at, at + query.length)}</mark>);
    from = at + query.length;
    at = lower.indexOf(query, from);
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

export const LogLine = memo(function LogLine({
  number,
  raw,
  style,
  stderr = false,
  prefix,
  query,
  current,
  height,
}: {
  number: number;
  raw: string;
  style: AnsiStyle | undefined;
  /** The step wrote (part of) the line to stderr. */
  stderr?: boolean | undefined;
  /** Which worker or service wrote the line, when its output interleaves with others. */
  prefix?: string | undefined;
  /** Lower-cased search text, or "". */
  query: string;
  current: boolean;
  height: number;
}) {
  const hasEscapes = raw.includes("\u001b") || style !== undefined;
  const content = hasEscapes
    ? parseAnsi(raw, style ?? {}).map((span, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: spans of one line have no identity but their position
        <span key={i} style={toCss(span.style)}>
          {mark(span.text, query, String(i))}
        </span>
      ))
    : mark(raw, query, "t");
  const className = `log-line${current ? " log-line-current" : ""}${stderr ? " log-line-stderr" : ""}`;
  return (
    <div
      className={className}
      style={{ height }}
      data-line={number}
      data-stream={stderr ? "stderr" : undefined}
      title={stderr ? "Written to stderr" : undefined}
    >
      <span className="log-number" aria-hidden="true">
        {number}
      </span>
      {stderr ? <span className="visually-hidden log-stream-label">stderr: </span> : null}
      {prefix ? <span className={`log-prefix log-prefix-${hue(prefix)}`}>{prefix}</span> : null}
      <span className="log-text">{content}</span>
    </div>
  );
});

/** One of six prefix colours, the same for a name every time. */
function hue(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return h % 6;
}

/** The header of a top-level step's section in "all steps": its name and status; folds it. */
export function LogSectionHeader({
  step,
  fallback,
  collapsed,
  onToggle,
  height,
}: {
  step: StepState | undefined;
  fallback: string;
  collapsed: boolean;
  onToggle: () => void;
  height: number;
}) {
  const name = step?.name || fallback;
  return (
    <div className="log-section" style={{ height }}>
      <button
        type="button"
        className="log-section-toggle"
        aria-expanded={!collapsed}
        onClick={onToggle}
        aria-label={`${collapsed ? "Expand" : "Collapse"} the log of ${name}`}
      >
        <span aria-hidden="true">{collapsed ? "▸" : "▾"}</span> {name}
      </button>
      {step ? <StatusBadge status={step.status} kind="step" /> : null}
    </div>
  );
}
