/**
 * Testkube's spellings of service addresses that the expression grammar has no syntax for:
 * `services.NAME.0.ip` (a numeric member) and `services.NAME.*.ip` (every instance's address,
 * a list). Both are rewritten to plain expressions before parsing: `services["NAME"][0].ip` and
 * `map(services["NAME"], "_.value.ip")`. The runner provides `services` at run time.
 */

const SERVICE_INDEX = /\bservices\.([A-Za-z_][\w-]*)\.(\d+)(?=\b|\.)/g;
const SERVICE_WILDCARD = /\bservices\.([A-Za-z_][\w-]*)\.\*\.ip\b/g;
const TEMPLATE = /\{\{([\s\S]*?)\}\}/g;

/** Rewrites the service spellings inside one expression. */
export const rewriteServiceRefs = (expression: string): string =>
  expression.includes("services.")
    ? expression
        .replace(
          SERVICE_WILDCARD,
          (_m, name: string) => `map(services[${JSON.stringify(name)}], "_.value.ip")`,
        )
        .replace(SERVICE_INDEX, (_m, name: string, n: string) => `services[${JSON.stringify(name)}][${n}]`)
    : expression;

/** Rewrites the service spellings inside every `{{ }}` of a text. */
export const rewriteServiceTemplates = (text: string): string =>
  text.includes("services.")
    ? text.replace(TEMPLATE, (_m, inner: string) => `{{${rewriteServiceRefs(inner)}}}`)
    : text;
