/** JUnit results: totals, then suites with failing cases first and their messages. */
import type { TestCase } from "@assay/shared";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { formatDuration } from "../../../lib/format.ts";
import { useReport } from "../api/results.ts";

const ORDER: Record<TestCase["status"], number> = { failed: 0, error: 1, skipped: 2, passed: 3 };
const TONE: Record<TestCase["status"], string> = {
  failed: "badge-danger",
  error: "badge-danger",
  skipped: "badge-neutral",
  passed: "badge-success",
};

export function TestsTab({
  org,
  env,
  id,
  finished,
}: {
  org: string;
  env: string;
  id: string;
  finished: boolean;
}) {
  const report = useReport(org, env, id, finished);
  if (report.isPending) return <Loading label="Loading test results" />;
  if (report.isError) return <ErrorState error={report.error} title="Could not load test results" />;
  const { counts, suites, unreadable } = report.data;
  if (suites.length === 0)
    return (
      <EmptyState title={finished ? "No test results" : "No test results yet"}>
        JUnit XML files collected as artifacts show up here.
      </EmptyState>
    );
  const sorted = [...suites].sort(
    (a, b) => b.counts.failed + b.counts.errors - (a.counts.failed + a.counts.errors),
  );
  return (
    <div className="tests">
      <p className="test-totals" role="status">
        <strong>{counts.tests}</strong> tests · <span className="text-success">{counts.passed} passed</span> ·{" "}
        <span className="text-danger">{counts.failed + counts.errors} failed</span> · {counts.skipped} skipped
        · {formatDuration(report.data.durationMs)}
      </p>
      {unreadable.map((u) => (
        <p key={u.source} className="banner banner-warning">
          {u.source}: {u.reason}
        </p>
      ))}
      {sorted.map((suite) => (
        <section key={`${suite.source}:${suite.name}`} className="suite" aria-label={`Suite ${suite.name}`}>
          <h3>
            {suite.name}{" "}
            <span className="muted small">
              {suite.counts.passed}/{suite.counts.tests} passed · {formatDuration(suite.durationMs)}
            </span>
          </h3>
          <ul className="cases">
            {[...suite.cases]
              .sort((a, b) => ORDER[a.status] - ORDER[b.status])
              .map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: cases may repeat a name
                <li key={i}>
                  <span className={`badge ${TONE[c.status]}`}>{c.status}</span>{" "}
                  <span className="case-name">
                    {c.className ? <span className="muted">{c.className} › </span> : null}
                    {c.name}
                  </span>{" "}
                  <span className="muted small">{formatDuration(c.durationMs)}</span>
                  {c.message || c.stack ? (
                    <details
                      className={c.status === "failed" || c.status === "error" ? "case-failure" : "case-note"}
                      open={c.status === "failed" || c.status === "error"}
                    >
                      <summary>{c.message || "Details"}</summary>
                      {c.stack ? <pre>{c.stack}</pre> : null}
                    </details>
                  ) : null}
                </li>
              ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
