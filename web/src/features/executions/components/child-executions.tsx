/**
 * A suite's parent (`execute` steps) lists the executions its steps started, with their
 * statuses and links; each child links back from its provenance line.
 */
import type { ExecutionView } from "@assay/shared";
import { useQuery } from "@tanstack/react-query";
import { childExecutionsQuery } from "../../../api/executions.ts";
import { ExecutionTable } from "../../../components/execution-table.tsx";
import { isFinished } from "../../../lib/status.ts";

/** The executions this one's `execute` steps started; nothing while there are none. */
export function ChildExecutions({
  org,
  env,
  execution,
}: {
  org: string;
  env: string;
  execution: ExecutionView;
}) {
  const children = useQuery(childExecutionsQuery(org, env, execution.id, !isFinished(execution.status)));
  const items = children.data ?? [];
  if (items.length === 0) return null;
  return (
    <section className="panel child-executions" aria-labelledby="child-executions">
      <h2 className="panel-title" id="child-executions">
        Child executions
      </h2>
      <ExecutionTable org={org} env={env} items={items} caption="Child executions" />
    </section>
  );
}
