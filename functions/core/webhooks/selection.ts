/**
 * Which webhooks hear about an execution: enabled ones subscribed to the event whose selector
 * matches the workflow (by name and by a Kubernetes-style label selector), unless the run is
 * silent or its workflow disables webhooks (`notifications.disableWebhooks`, `execution.silent`).
 */
import { AppError, type WebhookEventType, type WebhookSelector } from "@assay/shared";
import { parse } from "yaml";
import type { WebhookRecord } from "../ports/webhook-store.ts";

type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;

/** Splits on commas outside parentheses. */
const splitTerms = (selector: string): string[] => {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current);
      current = "";
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
};

const checkLabel = (text: string, selector: string): string => {
  if (text !== "" && !LABEL.test(text)) {
    throw new AppError("invalid_argument", `selector.labels: "${selector}" has an invalid label "${text}"`);
  }
  return text;
};

/** Parses `a=b,c!=d,e,!f,g in (x,y),h notin (z)`; throws `invalid_argument` naming the term. */
export function parseLabelSelector(selector: string): Requirement[] {
  return splitTerms(selector).map((term): Requirement => {
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (set) {
      const values = (set[3] ?? "").split(",").map((v) => checkLabel(v.trim(), selector));
      return { key: checkLabel(set[1] ?? "", selector), op: set[2] as "in" | "notin", values };
    }
    const pair = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (pair) {
      const op = pair[2] === "!=" ? "!=" : "=";
      return { key: checkLabel(pair[1] ?? "", selector), op, value: checkLabel(pair[3] ?? "", selector) };
    }
    if (term.startsWith("!")) return { key: checkLabel(term.slice(1).trim(), selector), op: "!exists" };
    if (LABEL.test(term)) return { key: term, op: "exists" };
    throw new AppError("invalid_argument", `selector.labels: cannot read "${term}"`);
  });
}

const satisfies = (labels: Record<string, string>, r: Requirement): boolean => {
  const value = labels[r.key];
  switch (r.op) {
    case "=":
      return value === r.value;
    case "!=":
      return value !== r.value;
    case "in":
      return value !== undefined && r.values.includes(value);
    case "notin":
      return value === undefined || !r.values.includes(value);
    case "exists":
      return value !== undefined;
    case "!exists":
      return value === undefined;
  }
};

/** Whether a selector matches a workflow (no selector matches every workflow). */
export function selectorMatches(
  selector: WebhookSelector | undefined,
  workflow: { name: string; labels: Record<string, string> },
): boolean {
  if (selector === undefined) return true;
  if (selector.workflows.length > 0 && !selector.workflows.includes(workflow.name)) return false;
  return parseLabelSelector(selector.labels).every((r) => satisfies(workflow.labels, r));
}

/** The webhooks an event of this workflow goes to. */
export const webhooksFor = (
  webhooks: WebhookRecord[],
  event: WebhookEventType,
  workflow: { name: string; labels: Record<string, string> },
): WebhookRecord[] =>
  webhooks.filter((w) => !w.disabled && w.events.includes(event) && selectorMatches(w.selector, workflow));

const isTrue = (value: unknown): boolean =>
  value === true || (typeof value === "string" && value.trim().toLowerCase() === "true");

/**
 * Whether the run's resolved document keeps webhooks quiet: `spec.notifications.disableWebhooks`
 * or `spec.execution.silent` set to true (a literal; an expression is not evaluated here).
 */
export function webhooksSilenced(specYaml: string): boolean {
  let doc: unknown;
  try {
    doc = parse(specYaml);
  } catch {
    return false;
  }
  const spec = (doc as { spec?: Record<string, unknown> } | null)?.spec ?? {};
  const notifications = spec.notifications as { disableWebhooks?: unknown } | undefined;
  const execution = spec.execution as { silent?: unknown } | undefined;
  return isTrue(notifications?.disableWebhooks) || isTrue(execution?.silent);
}
