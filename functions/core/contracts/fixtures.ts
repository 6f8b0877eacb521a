/**
 * Builders shared by the contract suites: unique tenant ids (so cases never see each other's
 * data in a shared backend), time-ordered execution ids, and an AppError matcher for
 * `assert.rejects`.
 */
import { randomBytes } from "node:crypto";
import { type ErrorCode, Execution, isAppError, type StepState } from "@assay/shared";
import { monotonicFactory } from "ulid";
import type { EnvRef } from "../ports/refs.ts";

/** A fresh slug such as `org-1a2b3c4d`, unique across cases. */
export const uniqueSlug = (prefix: string): string => `${prefix}-${randomBytes(4).toString("hex")}`;

/** Strictly increasing ULIDs, even within one millisecond. */
export const nextId: () => string = monotonicFactory();

/** An `assert.rejects` predicate for an AppError with that code. */
export const appError =
  (code: ErrorCode) =>
  (error: unknown): boolean =>
    isAppError(error) && error.code === code;

export const makeStep = (ref: string, overrides: Partial<StepState> = {}): StepState => ({
  ref,
  name: `step ${ref}`,
  status: "queued",
  warnings: [],
  ...overrides,
});

/** A queued execution, parsed so every schema default is filled in as a store would return it. */
export const makeExecution = ({ orgId, envId }: EnvRef, overrides: Partial<Execution> = {}): Execution =>
  Execution.parse({
    id: nextId(),
    orgId,
    envId,
    workflowName: "smoke",
    status: "queued",
    createdAt: new Date(0).toISOString(),
    config: { region: "eu" },
    tags: {},
    steps: [makeStep("s1"), makeStep("s2"), makeStep("s3")],
    logBytes: 0,
    warnings: [],
    specYaml: "kind: TestWorkflow\n",
    ...overrides,
  });
