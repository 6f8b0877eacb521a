/**
 * AgentPresenceStore on DynamoDB: one item per agent in its environment's partition
 * (`AGENT#{agentId}`). Heartbeats and disconnects are conditioned on the session id, so a late
 * write from an old stream never overrides a newer connection of the same agent. Items expire by
 * TTL a day after the last write: far above the "offline after" window (core/presence-rule.ts), so
 * a connected agent never expires, and the API shows recently seen agents as offline meanwhile.
 */
import { AgentPresence, sleep } from "@assay/shared";
import { BatchWriteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { AgentPresenceStore, Clock } from "../../core/ports.ts";
import { queryPrefix } from "./dynamo-reads.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed, parseItem } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

const KEEP_SECONDS = 86_400;
/** Items per BatchWriteItem (DynamoDB's maximum). */
const BATCH = 25;
/** Rounds of retrying throttled (unprocessed) items before the rest waits for the next refresh. */
const UNPROCESSED_ROUNDS = 4;

/**
 * Creates an AgentPresenceStore over the Assay table; `clock` times the backoff between rounds
 * of throttled writes.
 */
export const createDynamoPresenceStore = ({
  client,
  tableName,
  clock,
}: DynamoStoreConfig & { clock: Clock }): AgentPresenceStore => {
  const doc = documentClient(client);

  const update = async (
    orgId: string,
    envId: string,
    agentId: string,
    sessionId: string,
    attribute: "lastHeartbeatAt" | "disconnectedAt",
    at: string,
  ) => {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.agentPresence(orgId, envId, agentId),
          UpdateExpression: `SET #attr = :at, #ttl = :ttl`,
          ConditionExpression: "sessionId = :session",
          ExpressionAttributeNames: { "#attr": attribute, "#ttl": TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ":at": at, ":session": sessionId, ":ttl": ttlOf(at, KEEP_SECONDS) },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  };

  const toItem = (presence: AgentPresence) => {
    const item = AgentPresence.parse(presence);
    return {
      ...item,
      ...keys.agentPresence(item.orgId, item.envId, item.agentId),
      [TTL_ATTRIBUTE]: ttlOf(item.lastHeartbeatAt, KEEP_SECONDS),
      entity: "agent",
    };
  };

  return {
    async connected(presence) {
      await doc.send(new PutCommand({ TableName: tableName, Item: toItem(presence) }));
    },

    async record(presences) {
      for (let i = 0; i < presences.length; i += BATCH) {
        let requests: Array<{ PutRequest: { Item: Record<string, unknown> } }> = presences
          .slice(i, i + BATCH)
          .map((p) => ({ PutRequest: { Item: toItem(p) } }));
        for (let round = 0; requests.length > 0; round++) {
          if (round === UNPROCESSED_ROUNDS)
            throw new Error(`${requests.length} agent presence records not written (throttled)`);
          if (round > 0) await sleep(clock, 50 * 2 ** round);
          const { UnprocessedItems } = await doc.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
          );
          requests = (UnprocessedItems?.[tableName] ?? []).flatMap((r) =>
            r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
          );
        }
      }
    },

    heartbeat: ({ orgId, envId }, agentId, sessionId, at) =>
      update(orgId, envId, agentId, sessionId, "lastHeartbeatAt", at),

    disconnected: ({ orgId, envId }, agentId, sessionId, at) =>
      update(orgId, envId, agentId, sessionId, "disconnectedAt", at),

    async list({ orgId, envId }) {
      const { pk } = keys.agentPresence(orgId, envId, "");
      const items = await queryPrefix(doc, tableName, pk, keys.agentPrefix);
      return items.map((item) => parseItem(AgentPresence, item, "agent presence"));
    },
  };
};
