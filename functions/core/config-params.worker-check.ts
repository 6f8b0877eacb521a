/**
 * Worker half of config-params.test.ts: resolves `^(a+)+$` against near-matches of 28, 64 and
 * 10,000 characters and a full match, and posts the issues of each (or "accepted").
 */
import { parentPort } from "node:worker_threads";
import { AppError } from "@assay/shared";
import { resolveConfig } from "./config-params.ts";

const spec = { x: { type: "string", pattern: "^(a+)+$" } };
const outcome = (value: string): string[] => {
  try {
    resolveConfig(spec, { x: value });
    return ["accepted"];
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return (error.issues ?? []).map((i) => `${i.path}: ${i.message}`);
  }
};
const values = [28, 64, 10_000].map((n) => `${"a".repeat(n)}!`).concat("a".repeat(64));
parentPort?.postMessage(values.map(outcome));
