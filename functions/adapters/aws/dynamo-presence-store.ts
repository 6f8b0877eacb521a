/**
 * AgentPresenceStore on DynamoDB: one item per agent in its environment's partition
 * (`AGENT#{agentId}`). Heartbeats and disconnects are conditioned on the session id, so a late
 * write from an old stream never overrides a newer connection of the same agent. Items expire by
 * TTL a day after the last heartbeat (the API shows recently seen agents as offline meanwhile).
 */
import { AgentPresence } from "@assay/shared";
import { PutCommand, paginateQuery, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { AgentPresenceStore } from "../../core/ports.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed, parseItem } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

const KEEP_SECONDS = 86_400;

/** Creates an AgentPresenceStore over the Assay table. */
export const createDynamoPresenceStore = ({ client, tableName }: DynamoStoreConfig): AgentPresenceStore => {
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

  return {
    async connected(presence) {
      const item = AgentPresence.parse(presence);
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...item,
            ...keys.agentPresence(item.orgId, item.envId, item.agentId),
            [TTL_ATTRIBUTE]: ttlOf(item.lastHeartbeatAt, KEEP_SECONDS),
            entity: "agent",
          },
        }),
      );
    },

    heartbeat: (orgId, envId, agentId, sessionId, at) =>
      update(orgId, envId, agentId, sessionId, "lastHeartbeatAt", at),

    disconnected: (orgId, envId, agentId, sessionId, at) =>
      update(orgId, envId, agentId, sessionId, "disconnectedAt", at),

    async list(orgId, envId) {
      const out: AgentPresence[] = [];
      const { pk } = keys.agentPresence(orgId, envId, "");
      const pages = paginateQuery(
        { client: doc },
        {
          TableName: tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": pk, ":prefix": keys.agentPrefix },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) out.push(parseItem(AgentPresence, item, "agent presence"));
      }
      return out;
    },
  };
};
