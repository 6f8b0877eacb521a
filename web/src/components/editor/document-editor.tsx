/**
 * The YAML document editor shared by workflows and templates: CodeMirror with highlighting,
 * validated as you type by the same shared parser the API uses (issues with line and column,
 * inline and in a list that jumps to them), saved by the caller's mutation. Ctrl/Cmd+S saves;
 * leaving with unsaved changes asks first.
 */
import type { FieldIssue } from "@assay/shared";
import { type ReactNode, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { isApiError } from "../../api/errors.ts";
import { PageHeader } from "../page-header.tsx";
import { FormError } from "../states.tsx";
import { showToast } from "../toast.tsx";
import { Button } from "../ui/button.tsx";
import { YamlEditor, type YamlEditorHandle } from "./yaml-editor.tsx";

/** What validating the text found: the document's name, or the problems. */
export type Validation = { ok: true; name: string; warnings: string[] } | { ok: false; issues: FieldIssue[] };

export interface SaveOutcome {
  version: number;
  warnings: string[];
  /** What the environment's runtimes will not run (stored all the same; runs there fail). */
  refusals?: string[];
}

export function DocumentEditor({
  kind,
  name,
  initial,
  validate,
  save,
  saving,
  saveError,
  back,
  savedLink,
}: {
  /** "TestWorkflow" or "TestWorkflowTemplate": used in labels and messages. */
  kind: string;
  /** The document being edited (its metadata.name must stay), or undefined for a new one. */
  name: string | undefined;
  initial: string;
  validate: (text: string) => Validation;
  save: (name: string, text: string) => Promise<SaveOutcome>;
  saving: boolean;
  saveError: unknown;
  back?: ReactNode;
  savedLink: (name: string) => ReactNode;
}) {
  const noun = kind === "TestWorkflow" ? "workflow" : "template";
  const [text, setText] = useState(initial);
  const deferred = useDeferredValue(text);
  const parsed = useMemo(() => validate(deferred), [validate, deferred]);
  const editor = useRef<YamlEditorHandle>(null);
  const [saved, setSaved] = useState<SaveOutcome & { name: string }>();
  const [savedText, setSavedText] = useState(initial);

  const targetName = parsed.ok ? parsed.name : undefined;
  const renamed = name !== undefined && targetName !== undefined && targetName !== name;
  const serverIssues: FieldIssue[] = isApiError(saveError) ? saveError.issues : [];
  const issues = parsed.ok ? serverIssues : parsed.issues;
  const dirty = text !== savedText;

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const onSave = () => {
    const current = validate(text);
    if (!current.ok || saving) return;
    if (name !== undefined && current.name !== name) return;
    setSaved(undefined);
    save(current.name, text).then(
      (outcome) => {
        setSavedText(text);
        setSaved({ ...outcome, name: current.name });
        showToast(`Saved ${current.name}, version ${outcome.version}`);
      },
      () => {},
    );
  };

  return (
    <>
      <PageHeader
        title={name ? `Edit ${name}` : `New ${noun}`}
        actions={
          <>
            {back}
            <Button
              variant="primary"
              onClick={onSave}
              disabled={!parsed.ok || renamed || saving}
              aria-keyshortcuts="Control+S"
            >
              {saving ? "Saving…" : "Save"}
            </Button>
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
          onSave={onSave}
          label={kind === "TestWorkflow" ? "Workflow YAML" : "Template YAML"}
        />
        <aside className="panel editor-side" aria-label="Validation">
          <h2 className="panel-title">Validation</h2>
          <output className={parsed.ok && !renamed ? "valid" : "invalid"} aria-live="polite">
            {parsed.ok
              ? renamed
                ? `metadata.name must stay ${name} (create a new ${noun} to rename)`
                : `Valid ${kind} "${targetName}"`
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
          <FormError error={saveError} />
          {saved ? (
            <div className="saved" role="status">
              Saved version {saved.version}. {savedLink(saved.name)}
              {saved.refusals && saved.refusals.length > 0 ? (
                <>
                  <p className="invalid">Runs will fail where these are not supported:</p>
                  <ul className="issue-list" aria-label="Will not run">
                    {saved.refusals.map((r) => (
                      <li key={r}>✖ {r}</li>
                    ))}
                  </ul>
                </>
              ) : null}
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
