/** Agents of an environment with live status (online/offline by heartbeat), version and host. */
import { ASSAY_VERSION, MIN_AGENT_VERSION } from "@assay/shared";
import { useAgents } from "../../../api/environments.ts";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { DataTable } from "../../../components/ui/data-table.tsx";

/** `installAt` says where the page shows the install commands ("below", "in step 2 above"). */
export function AgentList({
  org,
  env,
  installAt = "below",
}: {
  org: string;
  env: string;
  installAt?: string;
}) {
  const agents = useAgents(org, env);
  if (agents.isPending) return <Loading label="Loading agents" />;
  if (agents.isError) return <ErrorState error={agents.error} title="Could not load agents" />;
  if (agents.data.length === 0)
    return (
      <EmptyState title="No agent has connected yet">
        Start an agent with the install command {installAt}; it appears here within seconds.
      </EmptyState>
    );
  return (
    <DataTable
      label={`Agents of ${env}`}
      rows={agents.data}
      rowKey={(a) => a.agentId}
      columns={[
        {
          key: "status",
          header: "Status",
          cell: (a) => (
            <span className={`badge ${a.status === "online" ? "badge-success badge-live" : "badge-neutral"}`}>
              <span className="badge-dot" aria-hidden="true" />
              {a.status === "online" ? "Online" : "Offline"}
            </span>
          ),
        },
        {
          key: "host",
          header: "Host",
          cell: (a) => (
            <>
              <span className="strong">{a.hostname || a.agentId}</span>
              <div className="muted small mono">{a.agentId}</div>
            </>
          ),
        },
        {
          key: "version",
          header: "Version",
          cell: (a) => (
            <>
              <span className="mono">{a.version || "–"}</span>
              {a.outdated ? (
                <span
                  className="badge badge-warning"
                  title={`This control plane supports agents from ${MIN_AGENT_VERSION}`}
                >
                  Update: {ASSAY_VERSION} available
                </span>
              ) : null}
              {a.runtime ? (
                <div className="muted small">
                  runs steps in {a.runtime === "docker" ? "Docker" : "host processes"}
                </div>
              ) : null}
            </>
          ),
        },
        {
          key: "connected",
          header: "Connected",
          className: "hide-narrow",
          cell: (a) => <RelativeTime iso={a.connectedAt} />,
        },
        { key: "heartbeat", header: "Last heartbeat", cell: (a) => <RelativeTime iso={a.lastHeartbeatAt} /> },
      ]}
    />
  );
}
