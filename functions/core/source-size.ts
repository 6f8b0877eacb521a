/**
 * How large a stored TestWorkflow or template source may be. A document is kept as one
 * DynamoDB item holding its source and its parsed spec (400 KB at most together), so the source
 * limit leaves room for the spec; a larger document is refused with 413 and the limit, before
 * the store would fail on the item size.
 */
import { AppError } from "@assay/shared";

/** Largest accepted source of a workflow or template document, in bytes (UTF-8). */
export const MAX_SOURCE_BYTES = 128 * 1024;

/** Throws `payload_too_large` naming the limit when `text` is over {@link MAX_SOURCE_BYTES}. */
export function checkSourceSize(what: "workflow" | "template", text: string): void {
  const bytes = Buffer.byteLength(text);
  if (bytes <= MAX_SOURCE_BYTES) return;
  throw new AppError(
    "payload_too_large",
    `${what} source is ${bytes} bytes: the limit is ${MAX_SOURCE_BYTES} bytes (128 KiB)`,
    { issues: [{ path: "source", message: `at most ${MAX_SOURCE_BYTES} bytes` }] },
  );
}
