/**
 * Tests from the JUnit reports across the window's runs: flaky (passed and failed; flip rate),
 * slowest and most failing. Each links to its newest failed run, its newest run, and the
 * workflow's runs.
 */
import type { TestInsight } from "@assay/shared";
import { Link } from "@tanstack/react-router";
import { EmptyState } from "../../../components/states.tsx";
import { type Column, DataTable } from "../../../components/ui/data-table.tsx";
import { duration, percent } from "./format.ts";

export type TestTableKind = "flaky" | "slowest" | "failing";

function TestRuns({ org, env, test }: { org: string; env: string; test: TestInsight }) {
  return (
    <span className="test-links">
      {test.lastFailedExecutionId ? (
        <Link to="/orgs/$org/envs/$env/executions/$id" params={{ org, env, id: test.lastFailedExecutionId }}>
          last failure
        </Link>
      ) : null}
      {test.lastExecutionId !== test.lastFailedExecutionId ? (
        <Link to="/orgs/$org/envs/$env/executions/$id" params={{ org, env, id: test.lastExecutionId }}>
          last run
        </Link>
      ) : null}
      <Link to="/orgs/$org/envs/$env/executions" params={{ org, env }} search={{ workflow: test.workflow }}>
        all runs
      </Link>
    </span>
  );
}

const EMPTY: Record<TestTableKind, string> = {
  flaky: "No flaky tests: none both passed and failed in this window",
  slowest: "No test results in this window",
  failing: "No test failed in this window",
};

export function TestTable({
  kind,
  tests,
  org,
  env,
  showWorkflow = false,
}: {
  kind: TestTableKind;
  tests: readonly TestInsight[];
  org: string;
  env: string;
  /** Environment-wide views name each test's workflow. */
  showWorkflow?: boolean;
}) {
  const columns: Column<TestInsight>[] = [
    ...(showWorkflow ? [{ key: "workflow", header: "Workflow", cell: (t: TestInsight) => t.workflow }] : []),
    {
      key: "test",
      header: "Test",
      cell: (t) => (
        <span className="test-name">
          {t.suite ? <span className="muted">{t.suite} › </span> : null}
          {t.name}
        </span>
      ),
    },
  ];
  if (kind === "flaky") {
    columns.push(
      { key: "flip", header: "Flip rate", cell: (t) => percent(t.flipRate), numeric: true },
      { key: "passed", header: "Passed", cell: (t) => t.passed, numeric: true },
      { key: "failed", header: "Failed", cell: (t) => t.failed, numeric: true },
    );
  } else if (kind === "slowest") {
    columns.push(
      { key: "avg", header: "Average", cell: (t) => duration(t.avgDurationMs), numeric: true },
      { key: "max", header: "Slowest", cell: (t) => duration(t.maxDurationMs), numeric: true },
      { key: "runs", header: "Runs", cell: (t) => t.runs, numeric: true },
    );
  } else {
    columns.push(
      { key: "failed", header: "Failed", cell: (t) => t.failed, numeric: true },
      { key: "runs", header: "Runs", cell: (t) => t.runs, numeric: true },
    );
  }
  columns.push({ key: "links", header: "Open", cell: (t) => <TestRuns org={org} env={env} test={t} /> });
  const label =
    kind === "flaky" ? "Flaky tests" : kind === "slowest" ? "Slowest tests" : "Most failing tests";
  return (
    <DataTable
      label={label}
      rows={tests}
      rowKey={(t) => `${t.workflow}\u0000${t.suite}\u0000${t.name}`}
      empty={<EmptyState title={EMPTY[kind]} />}
      columns={columns}
    />
  );
}
