/** The body both insights pages share: summary, charts, failure reasons and the test tables. */
import type { EnvInsights, WorkflowInsights } from "@assay/shared";
import type { ReactNode } from "react";
import { FailureReasons } from "./failure-reasons.tsx";
import { InsightsCharts } from "./insights-charts.tsx";
import { InsightsSummary } from "./insights-summary.tsx";
import { TestTable } from "./test-tables.tsx";

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id} className="panel-title">
        {title}
      </h2>
      {children}
    </section>
  );
}

export function InsightsView({
  insights,
  org,
  env,
  showWorkflow,
  extra,
}: {
  insights: WorkflowInsights | EnvInsights;
  org: string;
  env: string;
  showWorkflow: boolean;
  /** Shown after the charts (the environment's per-workflow table). */
  extra?: ReactNode;
}) {
  return (
    <>
      <p className="muted small">
        {insights.from} to {insights.to} (UTC)
      </p>
      <InsightsSummary totals={insights} />
      <InsightsCharts daily={insights.daily} />
      {extra}
      <Section id="insights-reasons" title="Failure reasons">
        <FailureReasons reasons={insights.failureReasons} />
      </Section>
      <Section id="insights-flaky" title="Flaky tests">
        <TestTable kind="flaky" tests={insights.flakyTests} org={org} env={env} showWorkflow={showWorkflow} />
      </Section>
      <Section id="insights-failing" title="Most failing tests">
        <TestTable
          kind="failing"
          tests={insights.mostFailingTests}
          org={org}
          env={env}
          showWorkflow={showWorkflow}
        />
      </Section>
      <Section id="insights-slowest" title="Slowest tests">
        <TestTable
          kind="slowest"
          tests={insights.slowestTests}
          org={org}
          env={env}
          showWorkflow={showWorkflow}
        />
      </Section>
    </>
  );
}
