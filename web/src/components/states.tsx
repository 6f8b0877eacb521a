/** Loading, empty and error states: every page shows one of these instead of a blank area. */
import type { ReactNode } from "react";
import { errorMessage, isApiError } from "../api/errors.ts";
import { Button } from "./ui/button.tsx";

export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}…</span>
    </div>
  );
}

export function ErrorState({
  error,
  title = "Something went wrong",
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  const api = isApiError(error) ? error : undefined;
  return (
    <div className="state state-error" role="alert">
      <strong>{title}</strong>
      <p>{errorMessage(error)}</p>
      {api?.issues.length ? (
        <ul className="issues">
          {api.issues.map((issue) => (
            <li key={`${issue.path}:${issue.line}:${issue.column}:${issue.message}`}>
              {issue.line ? `Line ${issue.line}${issue.column ? `:${issue.column}` : ""} — ` : ""}
              {issue.path ? <code>{issue.path}</code> : null} {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
      {api?.requestId ? <p className="muted small">Request id {api.requestId}</p> : null}
      {onRetry ? <Button onClick={onRetry}>Try again</Button> : null}
    </div>
  );
}

export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <div className="muted">{children}</div> : null}
      {action ? <div className="state-action">{action}</div> : null}
    </div>
  );
}

/** An inline error message under a form, announced to screen readers. */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="form-error" role="alert">
      {errorMessage(error)}
    </div>
  );
}

/**
 * In place of something the caller's role does not reach: says who can, instead of a request
 * that could only answer 403.
 */
export function RoleNote({ children }: { children: ReactNode }) {
  return (
    <p className="muted small role-note" role="note">
      {children}
    </p>
  );
}
