/**
 * Insights use cases: the worker job that folds a finished execution (and its JUnit reports)
 * into the day aggregates, and the reads behind the API, authorized in core like every read.
 */
import { AppError, type EnvInsights, type TestReport, type WorkflowInsights } from "@assay/shared";
import * as z from "zod";
import { authorize, type OrgPrincipal } from "../access.ts";
import type { InsightStore } from "../ports/insight-store.ts";
import type { EnvRef, ExecutionRef } from "../ports/refs.ts";
import type { Clock, ExecutionStore, Job, JobQueue, Logger } from "../ports.ts";
import {
  dayOf,
  outcomesOf,
  rankTests,
  sampleOf,
  summarize,
  windowDays,
  workflowSummaries,
} from "./aggregate.ts";

const InsightsJob = z.object({
  orgId: z.string().min(1),
  envId: z.string().min(1),
  executionId: z.string().min(1),
  /** `run`: the execution finished; `tests`: a bundle of its artifacts was unpacked. */
  part: z.enum(["run", "tests"]),
});

/** At most this many workflows' tests are read for the environment-wide ranking. */
const ENV_TEST_WORKFLOWS = 50;

export interface InsightsDeps {
  store: InsightStore;
  executions: Pick<ExecutionStore, "get">;
  /** The merged JUnit report of an execution (empty when it has none). */
  report: (execution: ExecutionRef) => Promise<Pick<TestReport, "suites">>;
  workflowExists: (env: EnvRef, name: string) => Promise<boolean>;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
}

export function createInsights(deps: InsightsDeps) {
  const { store, clock } = deps;

  /** Enqueues folding an execution into insights; never throws (insights never fail a run). */
  const enqueue = async (
    ref: { orgId: string; envId: string; id: string },
    part: "run" | "tests",
    key = "",
  ) => {
    await deps.jobs
      .send({
        kind: "insights",
        id: `${ref.id}.${part}${key ? `.${key}` : ""}`,
        payload: { orgId: ref.orgId, envId: ref.envId, executionId: ref.id, part },
      })
      .catch((error: unknown) =>
        deps.logger.warn({ executionId: ref.id, part, err: String(error) }, "insights job not enqueued"),
      );
  };

  const recordTests = async (
    scope: { orgId: string; envId: string },
    execution: { id: string; workflowName: string; createdAt: string },
  ) => {
    const outcomes = outcomesOf(
      await deps.report({ orgId: scope.orgId, envId: scope.envId, id: execution.id }),
    );
    if (outcomes.length === 0) return;
    await store.putTestOutcomes(
      scope,
      {
        workflow: execution.workflowName,
        day: dayOf(Date.parse(execution.createdAt)),
        executionId: execution.id,
      },
      outcomes,
    );
  };

  /** The worker job: idempotent (runs are added once, test outcomes are keyed by execution). */
  const job = async (j: Job) => {
    const { orgId, envId, executionId, part } = InsightsJob.parse(j.payload);
    const execution = await deps.executions.get({ orgId, envId, id: executionId });
    if (!execution) return; // deleted meanwhile
    const scope = { orgId, envId };
    if (part === "run") {
      const sample = sampleOf(execution);
      if (!sample) return;
      await store.addRun(scope, sample);
    }
    // A report unpacked before the run finished is read here too; later bundles bring `tests`.
    await recordTests(scope, execution);
  };

  const windowOf = (days: number) => {
    const list = windowDays(clock.now(), days);
    return { list, from: list[0] ?? "", to: list[list.length - 1] ?? "" };
  };

  return {
    enqueue,
    job,

    async workflow(
      principal: OrgPrincipal,
      scope: { orgId: string; envId: string },
      workflow: string,
      days: number,
    ): Promise<WorkflowInsights> {
      authorize(principal, "read", { orgId: scope.orgId });
      const w = windowOf(days);
      const [stored, tests] = await Promise.all([
        store.workflowDays(scope, workflow, w.from, w.to),
        store.testDays(scope, workflow, w.from, w.to),
      ]);
      if (stored.length === 0 && tests.length === 0 && !(await deps.workflowExists(scope, workflow))) {
        throw new AppError("not_found", `workflow ${workflow} not found`);
      }
      return { workflow, days, from: w.from, to: w.to, ...summarize(stored, w.list), ...rankTests(tests) };
    },

    async environment(
      principal: OrgPrincipal,
      scope: { orgId: string; envId: string },
      days: number,
    ): Promise<EnvInsights> {
      authorize(principal, "read", { orgId: scope.orgId });
      const w = windowOf(days);
      const stored = await store.environmentDays(scope, w.from, w.to);
      const workflows = workflowSummaries(stored);
      const tests = await Promise.all(
        workflows.slice(0, ENV_TEST_WORKFLOWS).map((s) => store.testDays(scope, s.workflow, w.from, w.to)),
      );
      return {
        days,
        from: w.from,
        to: w.to,
        ...summarize(stored, w.list),
        ...rankTests(tests.flat()),
        workflows,
      };
    },
  };
}

export type Insights = ReturnType<typeof createInsights>;
