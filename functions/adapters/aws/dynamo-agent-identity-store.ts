/**
 * AgentIdentityStore on DynamoDB: one item per issued identity, in its own partition. The
 * claim is one conditional update that checks the secret hash and the current holder together,
 * so two processes racing for one identity on two ingress instances cannot both win.
 */
import { AppError } from "@assay/shared";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import type { AgentIdentityStore } from "../../core/ports.ts";
import { putIfAbsent } from "./dynamo-conditional-writes.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";

/** What a failed claim reads back (ReturnValuesOnConditionCheckFailure). */
const StoredClaim = z.object({
  secretHash: z.string(),
  holderHost: z.string().optional(),
  holderSince: z.string().optional(),
});

export const createDynamoAgentIdentityStore = ({
  client,
  tableName,
}: DynamoStoreConfig): AgentIdentityStore => {
  const doc = documentClient(client);
  return {
    async create(identity) {
      const item = {
        ...keys.agentIdentity(identity.orgId, identity.envId, identity.agentId),
        entity: "agent-identity",
        ...identity,
      };
      if (!(await putIfAbsent(doc, tableName, item))) {
        throw new AppError("already_exists", `agent identity ${identity.agentId} already exists`);
      }
    },

    async claim(input) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.agentIdentity(input.orgId, input.envId, input.agentId),
            UpdateExpression:
              "SET holder = :instance, holderSession = :session, holderHost = :host, heldUntilMs = :until, " +
              "holderSince = if_not_exists(holderSince, :since)",
            ConditionExpression:
              "secretHash = :hash AND (attribute_not_exists(holder) OR holder = :instance OR heldUntilMs < :now)",
            ExpressionAttributeValues: {
              ":instance": input.instanceId,
              ":session": input.sessionId,
              ":host": input.hostname,
              ":until": input.heldUntilMs,
              ":since": new Date(input.nowMs).toISOString(),
              ":hash": input.secretHash,
              ":now": input.nowMs,
            },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
        return { ok: true };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        const old = (error as { Item?: Record<string, unknown> }).Item;
        if (old === undefined) return { ok: false, reason: "unknown" };
        // The low-level item (attribute values) comes back unmarshalled by the document client
        // for results, not for errors: read the few string fields by hand.
        const stored = StoredClaim.parse(unwrapStrings(old));
        if (stored.secretHash !== input.secretHash) return { ok: false, reason: "bad_secret" };
        return {
          ok: false,
          reason: "held",
          hostname: stored.holderHost ?? "",
          since: stored.holderSince ?? "",
        };
      }
    },

    async release({ orgId, envId }, agentId, sessionId) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.agentIdentity(orgId, envId, agentId),
            UpdateExpression: "REMOVE holder, holderSession, holderHost, heldUntilMs, holderSince",
            ConditionExpression: "holderSession = :session",
            ExpressionAttributeValues: { ":session": sessionId },
          }),
        );
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    },
  };
};

/** `{ a: { S: "x" } }` (or an already plain item) to `{ a: "x" }`, strings only. */
const unwrapStrings = (item: Record<string, unknown>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(item)) {
    if (typeof value === "string") out[name] = value;
    else if (value && typeof value === "object" && typeof (value as { S?: unknown }).S === "string")
      out[name] = (value as { S: string }).S;
  }
  return out;
};
