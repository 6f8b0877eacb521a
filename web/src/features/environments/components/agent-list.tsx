/** Agents of an environment with live status (online/offline by heartbeat), version and host. */
import { ASSAY_VERSION, MIN_AGENT_VERSION } from "@assay/shared";
import { useAgents } from "../../../api/environments.ts";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";

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
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Agents of {env}</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Host</th>
            <th scope="col">Version</th>
            <th scope="col" className="hide-narrow">
              Connected
            </th>
            <th scope="col">Last heartbeat</th>
          </tr>
        </thead>
        <tbody>
          {agents.data.map((a) => (
            <tr key={a.agentId}>
              <td>
                <span
                  className={`badge ${a.status === "online" ? "badge-success badge-live" : "badge-neutral"}`}
                >
                  <span className="badge-dot" aria-hidden="true" />
                  {a.status === "online" ? "Online" : "Offline"}
                </span>
              </td>
              <td>
                <span className="strong">{a.hostname || a.agentId}</span>
                <div className="muted small mono">{a.agentId}</div>
              </td>
              <td>
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
              </td>
              <td className="hide-narrow">
                <RelativeTime iso={a.connectedAt} />
              </td>
              <td>
                <RelativeTime iso={a.lastHeartbeatAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
