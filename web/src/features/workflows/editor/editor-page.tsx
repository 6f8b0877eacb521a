/**
 * The workflow editor (lazy route): YAML with highlighting, validated as you type by the same
 * shared parser the API uses (issues with line and column, inline and in a list that jumps to
 * them), saved with PUT /workflows/{metadata.name}. Ctrl/Cmd+S saves.
 */
import type { FieldIssue } from "@assay/shared";
import { parseWorkflowText } from "@assay/shared/workflow";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { isApiError } from "../../../api/errors.ts";
import { PageHeader } from "../../../components/page-header.tsx";
import { ErrorState, FormError, Loading } from "../../../components/states.tsx";
import { useApplyWorkflow, workflowQuery } from "../api/workflows.ts";
import { STARTER_WORKFLOW } from "./starter.ts";
import { YamlEditor, type YamlEditorHandle } from "./yaml-editor.tsx";

export function EditorPage() {
  const params = useParams({ strict: false }) as { org: string; env: string; name?: string };
  const { org, env, name } = params;
  const existing = useQuery({ ...workflowQuery(org, env, name ?? ""), enabled: name !== undefined });
  if (name && existing.isPending) return <Loading label="Loading the workflow" />;
  if (name && existing.isError)
    return (
      <ErrorState
        error={existing.error}
        title={`Could not load ${name}`}
        onRetry={() => existing.refetch()}
      />
    );
  return (
    <Editor
      org={org}
      env={env}
      name={name}
      initial={name ? (existing.data?.source ?? "") : STARTER_WORKFLOW}
    />
  );
}

function Editor({
  org,
  env,
  name,
  initial,
}: {
  org: string;
  env: string;
  name: string | undefined;
  initial: string;
}) {
  const [text, setText] = useState(initial);
  const deferred = useDeferredValue(text);
  const parsed = useMemo(() => parseWorkflowText(deferred), [deferred]);
  const apply = useApplyWorkflow(org, env);
  const navigate = useNavigate();
  const editor = useRef<YamlEditorHandle>(null);
  const [saved, setSaved] = useState<{ version: number; warnings: string[] }>();

  const targetName = parsed.ok ? parsed.workflow.metadata.name : undefined;
  const renamed = name !== undefined && targetName !== undefined && targetName !== name;
  const serverIssues: FieldIssue[] = isApiError(apply.error) ? apply.error.issues : [];
  const issues = parsed.ok ? serverIssues : parsed.issues;
  const dirty = text !== initial;

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const save = () => {
    const current = parseWorkflowText(text);
    if (!current.ok || apply.isPending) return;
    const target = current.workflow.metadata.name;
    if (name !== undefined && target !== name) return;
    setSaved(undefined);
    apply.mutate(
      { name: target, source: text },
      {
        onSuccess: (result) => {
          setSaved({ version: result.workflow.version, warnings: result.warnings });
          if (name === undefined)
            void navigate({
              to: "/orgs/$org/envs/$env/workflows/$name",
              params: { org, env, name: target },
            });
        },
      },
    );
  };

  return (
    <>
      <PageHeader
        title={name ? `Edit ${name}` : "New workflow"}
        actions={
          <>
            {name ? (
              <Link className="button" to="/orgs/$org/envs/$env/workflows/$name" params={{ org, env, name }}>
                Back to {name}
              </Link>
            ) : null}
            <button
              type="button"
              className="button button-primary"
              onClick={save}
              disabled={!parsed.ok || renamed || apply.isPending}
              aria-keyshortcuts="Control+S"
            >
              {apply.isPending ? "Saving…" : "Save"}
            </button>
          </>
        }
      >
        <span className="muted small">Ctrl+S saves · Esc then Tab leaves the editor</span>
      </PageHeader>
      <div className="editor-layout">
        <YamlEditor
          ref={editor}
          value={text}
          onChange={setText}
          issues={issues}
          onSave={save}
          label="Workflow YAML"
        />
        <aside className="panel editor-side" aria-label="Validation">
          <h2 className="panel-title">Validation</h2>
          <output className={parsed.ok && !renamed ? "valid" : "invalid"} aria-live="polite">
            {parsed.ok
              ? renamed
                ? `metadata.name must stay ${name} (create a new workflow to rename)`
                : `Valid TestWorkflow "${targetName}"`
              : `${parsed.issues.length} problem${parsed.issues.length === 1 ? "" : "s"}`}
          </output>
          {issues.length > 0 ? (
            <ul className="issue-list" aria-label="Problems">
              {issues.map((issue) => (
                <li key={`${issue.line}:${issue.column}:${issue.path}:${issue.message}`}>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => editor.current?.goTo(issue.line ?? 1, issue.column)}
                  >
                    {issue.line ? `Line ${issue.line}${issue.column ? `:${issue.column}` : ""}` : "Document"}
                  </button>{" "}
                  {issue.path ? <code>{issue.path}</code> : null} {issue.message}
                </li>
              ))}
            </ul>
          ) : null}
          {parsed.ok && parsed.warnings.length > 0 ? (
            <ul className="warning-list" aria-label="Warnings">
              {parsed.warnings.map((w) => (
                <li key={w}>⚠ {w}</li>
              ))}
            </ul>
          ) : null}
          <FormError error={apply.error} />
          {saved ? (
            <div className="saved" role="status">
              Saved version {saved.version}.{" "}
              <Link
                to="/orgs/$org/envs/$env/workflows/$name"
                params={{ org, env, name: targetName ?? name ?? "" }}
              >
                Open the workflow
              </Link>
              {saved.warnings.length > 0 ? (
                <ul className="warning-list">
                  {saved.warnings.map((w) => (
                    <li key={w}>⚠ {w}</li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
        </aside>
      </div>
    </>
  );
}
