/**
 * How agent presence is kept and read. The ingress writes an agent's record when its stream is
 * ready and when it ends (on change), and otherwise refreshes it only every
 * `PRESENCE_REFRESH_MS`: each write costs a DynamoDB write unit, and a 15 s refresh was ~$110 a
 * month per 1,000 idle agents (docs/deploy.md, "Cost estimate"). 12 minutes puts exactly two
 * refreshes inside a stream's 30-minute maximum age, so a stream costs at most four writes
 * (ready, two refreshes, end). An agent is online while its
 * stream has not ended and its record was refreshed within `OFFLINE_AFTER_MS`: two refreshes
 * plus slack, so one slow or failed batch does not flip it. An ingress that dies without writing
 * the disconnects leaves its agents "online" for at most that long (they reconnect elsewhere
 * within seconds, which writes new records).
 */
import type { AgentPresence } from "@assay/shared";

export const PRESENCE_REFRESH_MS = 12 * 60_000;
export const OFFLINE_AFTER_MS = 2 * PRESENCE_REFRESH_MS + 60_000;

export const isOnline = (presence: AgentPresence, nowMs: number): boolean =>
  !presence.disconnectedAt && nowMs - Date.parse(presence.lastHeartbeatAt) < OFFLINE_AFTER_MS;
