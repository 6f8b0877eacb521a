/**
 * What a step does besides running a command: retry policy, artifact collection, dependency
 * cache, and executing other workflows or tests (Testkube's `StepControl` / `StepOperations`).
 */
import * as z from "zod";
import { lazySchema } from "../../lazy-schema.ts";
import {
  BoolOrExpression,
  DurationString,
  DynamicList,
  IntOrExpression,
  KubeObject,
  Scalar,
  Target,
} from "./primitives.ts";
import { strategyShape } from "./services.ts";

/** Retry a failed step up to `count` times until `until` holds (default: "passed"). */
export const RetryPolicy = lazySchema(() =>
  z.strictObject({
    count: IntOrExpression,
    until: z.string().optional(),
  }),
);
export type RetryPolicy = z.infer<typeof RetryPolicy>;

/** Collect files as artifacts (`steps[].artifacts`); runs even when the step failed. */
export const StepArtifacts = lazySchema(() =>
  z.strictObject({
    /** Base directory the `paths` globs are relative to. */
    workingDir: z.string().optional(),
    /** Upload as one archive with this name instead of individual files. */
    compress: z.strictObject({ name: z.string().min(1) }).optional(),
    /** Glob patterns (`**\/*.xml`, `playwright-report/**`). */
    paths: z.array(z.string()).optional(),
  }),
);
export type StepArtifacts = z.infer<typeof StepArtifacts>;

/** Restore directories before the step and save them after it passed (`steps[].cache`). */
export const StepCache = lazySchema(() =>
  z.strictObject({
    key: z.string().min(1).max(512),
    restoreKeys: z.array(z.string()).max(10).optional(),
    paths: z.array(z.string()).min(1),
    workingDir: z.string().optional(),
    /** `workflow` (default) or `environment`. */
    scope: z.enum(["workflow", "environment"]).optional(),
    mount: BoolOrExpression.optional(),
  }),
);
export type StepCache = z.infer<typeof StepCache>;

/** Files packed from this execution and served to an executed one (`tarball.<name>`). */
const TarballRequest = lazySchema(() =>
  z.strictObject({ from: z.string().optional(), files: DynamicList.optional() }),
);

/** Artifacts downloaded back from an executed workflow. */
const ExecuteFetch = lazySchema(() =>
  z.strictObject({
    from: z.string().optional(),
    paths: z.array(z.string()).optional(),
    to: z.string(),
  }),
);

/** One workflow to execute (`execute.workflows[]`), possibly fanned out. */
export const ExecuteWorkflow = lazySchema(() =>
  z.strictObject({
    ...strategyShape,
    name: z.string().optional(),
    selector: KubeObject.optional(),
    as: z.string().optional(),
    description: z.string().optional(),
    executionName: z.string().optional(),
    tarball: z.record(z.string(), TarballRequest).optional(),
    config: z.record(z.string(), Scalar).optional(),
    fetch: z.array(ExecuteFetch).optional(),
    baseExecutionId: z.string().optional(),
    target: Target.optional(),
  }),
);
export type ExecuteWorkflow = z.infer<typeof ExecuteWorkflow>;

/** One legacy Testkube test to execute (`execute.tests[]`). */
export const ExecuteTest = lazySchema(() =>
  z.strictObject({
    ...strategyShape,
    name: z.string().optional(),
    description: z.string().optional(),
    tarball: z.record(z.string(), TarballRequest).optional(),
    executionRequest: KubeObject.optional(),
  }),
);

/** Run other workflows or tests from this step (`steps[].execute`). */
export const StepExecute = lazySchema(() =>
  z.strictObject({
    parallelism: IntOrExpression.optional(),
    async: BoolOrExpression.optional(),
    tests: z.array(ExecuteTest).optional(),
    workflows: z.array(ExecuteWorkflow).optional(),
  }),
);
export type StepExecute = z.infer<typeof StepExecute>;

/** Fields that control how a step runs (Testkube's `StepControl`). */
export const controlShape = lazySchema(() => ({
  negative: BoolOrExpression.optional(),
  optional: BoolOrExpression.optional(),
  paused: BoolOrExpression.optional(),
  retry: RetryPolicy.optional(),
  timeout: DurationString.optional(),
}));

/** Fields that say what a step does (Testkube's `StepOperations`, minus the container). */
export const operationsShape = lazySchema(() => ({
  delay: DurationString.optional(),
  shell: z.string().optional(),
  execute: StepExecute.optional(),
  artifacts: StepArtifacts.optional(),
  cache: StepCache.optional(),
}));
