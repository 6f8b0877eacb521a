/**
 * Builders shared by the contract suites: unique tenant ids (so cases never see each other's
 * data in a shared backend), time-ordered execution ids, and an AppError matcher for
 * `assert.rejects`.
 */
import { randomBytes } from "node:crypto";
import { type ErrorCode, Execution, isAppError, type StepState } from "@assay/shared";
import { monotonicFactory } from "ulid";
import type { ExecutionStore } from "../ports/execution-store.ts";
import type { EnvRef, ExecutionRef } from "../ports/refs.ts";

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

/** Creates `count` queued executions in `env`, oldest first. */
export const createExecutions = async (
  store: Pick<ExecutionStore, "create">,
  env: EnvRef,
  count: number,
  overrides: Partial<Execution> = {},
): Promise<Execution[]> => {
  const created: Execution[] = [];
  for (let i = 0; i < count; i++) {
    const execution = makeExecution(env, overrides);
    await store.create(execution);
    created.push(execution);
  }
  return created;
};

/** Claims a queued execution for `agentId`, as the lifecycle's claim writes it. */
export const claimExecution = (
  store: Pick<ExecutionStore, "transition">,
  ref: ExecutionRef,
  agentId: string,
) =>
  store.transition(ref, {
    from: ["queued"],
    set: { status: "assigned", agentId, assignedAt: "2026-01-01T00:00:01.000Z", leaseExpiresAtMs: 1_000 },
  });
