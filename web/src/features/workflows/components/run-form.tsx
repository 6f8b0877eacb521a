/**
 * The run form, generated from the workflow's config parameters (`spec.config`): a checkbox
 * for booleans, a select for enums, number inputs for numbers, a password input for sensitive
 * values; parameters without a default are required. Field errors from the API
 * (`config.NAME`) show beside their field.
 */
import type { WorkflowView } from "@assay/shared";
import type { ParameterSchema } from "@assay/shared/workflow";
import { type FormEvent, type ReactNode, useId } from "react";
import { isApiError } from "../../../api/errors.ts";
import { FormError } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { configParameters } from "../../../lib/config-params.ts";

export interface RunInput {
  config: Record<string, string | number | boolean>;
  tags: Record<string, string>;
}

const isSensitive = (p: ParameterSchema) => p.sensitive === true || p.sensitive === "true";

export function parseTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const line of text.split(/[\n,]/)) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf("=");
    if (eq <= 0) throw new Error(`Tag "${trimmed}" must look like key=value`);
    tags[trimmed.slice(0, eq).trim()] = trimmed.slice(eq + 1).trim();
  }
  return tags;
}

export function RunForm({
  workflow,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  workflow: WorkflowView;
  busy: boolean;
  error: unknown;
  onSubmit: (input: RunInput) => void;
  onCancel?: () => void;
}) {
  const params = configParameters(workflow);
  const id = useId();
  const fieldErrors = new Map<string, string>();
  if (isApiError(error))
    for (const issue of error.issues) fieldErrors.set(issue.path.replace(/^body\./, ""), issue.message);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const config: RunInput["config"] = {};
    for (const [name, p] of params) {
      if (p.type === "boolean") {
        config[name] = form.get(`config.${name}`) === "on";
        continue;
      }
      const raw = String(form.get(`config.${name}`) ?? "");
      if (raw === "" && p.default !== undefined) continue;
      config[name] = (p.type === "integer" || p.type === "number") && raw !== "" ? Number(raw) : raw;
    }
    try {
      onSubmit({ config, tags: parseTags(String(form.get("tags") ?? "")) });
    } catch (e) {
      const tagsField = event.currentTarget.elements.namedItem("tags");
      if (tagsField instanceof HTMLTextAreaElement) {
        tagsField.setCustomValidity((e as Error).message);
        tagsField.reportValidity();
      }
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label={`Run ${workflow.name}`}>
      {params.length === 0 ? <p className="muted">This workflow has no config parameters.</p> : null}
      {params.map(([name, p]) => {
        const fieldId = `${id}-${name}`;
        const problem = fieldErrors.get(`config.${name}`);
        const hint = p.description ? <span className="hint">{p.description}</span> : null;
        const common = {
          id: fieldId,
          name: `config.${name}`,
          "aria-invalid": problem ? true : undefined,
          "aria-describedby": problem ? `${fieldId}-error` : undefined,
        };
        let input: ReactNode;
        if (p.type === "boolean") {
          input = (
            <input type="checkbox" {...common} defaultChecked={p.default === true || p.default === "true"} />
          );
        } else if (p.enum?.length) {
          input = (
            <select
              {...common}
              defaultValue={p.default === undefined ? "" : String(p.default)}
              required={p.default === undefined}
            >
              {p.default === undefined ? <option value="">Choose…</option> : null}
              {p.enum.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          );
        } else {
          const numeric = p.type === "integer" || p.type === "number";
          input = (
            <input
              {...common}
              type={isSensitive(p) ? "password" : numeric ? "number" : "text"}
              step={p.type === "integer" ? 1 : numeric ? "any" : undefined}
              min={p.minimum}
              max={p.maximum}
              minLength={p.minLength}
              maxLength={p.maxLength}
              pattern={p.pattern}
              placeholder={p.example === undefined ? undefined : String(p.example)}
              defaultValue={p.default === undefined || isSensitive(p) ? "" : String(p.default)}
              required={p.default === undefined}
              autoComplete="off"
            />
          );
        }
        return (
          <div key={name} className={p.type === "boolean" ? "field field-check" : "field"}>
            <label htmlFor={fieldId}>
              {name}
              {p.default === undefined ? <span className="required"> (required)</span> : null}
            </label>
            {input}
            {hint}
            {problem ? (
              <span className="field-error" id={`${fieldId}-error`}>
                {problem}
              </span>
            ) : null}
          </div>
        );
      })}
      <div className="field">
        <label htmlFor={`${id}-tags`}>Tags</label>
        <textarea
          id={`${id}-tags`}
          name="tags"
          rows={2}
          placeholder="key=value, one per line"
          onInput={(e) => e.currentTarget.setCustomValidity("")}
        />
      </div>
      <FormError error={error} />
      <div className="form-actions">
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? "Starting…" : "Run now"}
        </Button>
      </div>
    </form>
  );
}
