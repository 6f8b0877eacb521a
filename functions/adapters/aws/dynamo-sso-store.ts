/**
 * SsoStore on DynamoDB (the same adapter runs on DynamoDB Local in local mode).
 *
 * | item            | pk                         | sk         |                                   |
 * |-----------------|----------------------------|------------|-----------------------------------|
 * | SSO settings    | ORG#{org}#SSO              | CONFIG     | sealed client secret, `version`   |
 * | domain claim    | SSODOMAIN#{domain}         | SSODOMAIN  | the org that claimed it           |
 * | pending sign-in | SSOPENDING#{sha256 hex}    | SSOPENDING | TTL; state or link token's hash   |
 * | identity link   | SSOID#{sha256(iss, sub)}   | SSOID      | the account it signs in to        |
 *
 * Saving settings is one transaction: the settings (conditional on the version read), a claim
 * per new domain (conditional on nobody, or this org, holding it) and the release of domains no
 * longer listed (conditional on this org holding them). A domain thus names one org at most.
 */
import { createHash } from "node:crypto";
import { AppError } from "@assay/shared";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { PendingSso, SsoIdentity, type SsoStore, StoredSsoConfig } from "../../core/sso/ports.ts";
import { putIfAbsent } from "./dynamo-conditional-writes.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed, parseItem } from "./dynamo-support.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

const HASH = /^[0-9a-f]{64}$/;
const DomainClaim = z.object({ orgId: z.string() });

const configKey = (orgId: string) => ({ pk: `ORG#${orgId}#SSO`, sk: "CONFIG" });
const domainKey = (domain: string) => ({ pk: `SSODOMAIN#${domain}`, sk: "SSODOMAIN" });
const pendingKey = (hash: string) => ({ pk: `SSOPENDING#${hash}`, sk: "SSOPENDING" });
const identityKey = (issuer: string, subject: string) => ({
  pk: `SSOID#${createHash("sha256").update(`${issuer}\u0000${subject}`).digest("hex")}`,
  sk: "SSOID",
});

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
>[number];

/** Creates an SsoStore over the Assay table. */
export const createDynamoSsoStore = ({ client, tableName }: DynamoStoreConfig): SsoStore => {
  const doc = documentClient(client);
  const read = async (key: { pk: string; sk: string }) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  return {
    async getConfig(orgId) {
      const item = await read(configKey(orgId));
      return item ? parseItem(StoredSsoConfig, item, "SSO settings") : undefined;
    },

    async putConfig(config, previousDomains) {
      const parsed = StoredSsoConfig.parse(config);
      const claimed = parsed.domains.filter((d) => !previousDomains.includes(d));
      const released = previousDomains.filter((d) => !parsed.domains.includes(d));
      const items: TransactItem[] = [
        {
          Put: {
            TableName: tableName,
            Item: { ...parsed, ...configKey(parsed.orgId), entity: "sso-config" },
            ...(parsed.version === 1
              ? { ConditionExpression: "attribute_not_exists(pk)" }
              : {
                  ConditionExpression: "version = :previous",
                  ExpressionAttributeValues: { ":previous": parsed.version - 1 },
                }),
          },
        },
        ...claimed.map(
          (domain): TransactItem => ({
            Put: {
              TableName: tableName,
              Item: { ...domainKey(domain), orgId: parsed.orgId, entity: "sso-domain" },
              ConditionExpression: "attribute_not_exists(pk) OR orgId = :org",
              ExpressionAttributeValues: { ":org": parsed.orgId },
            },
          }),
        ),
        ...released.map(
          (domain): TransactItem => ({
            Delete: {
              TableName: tableName,
              Key: domainKey(domain),
              ConditionExpression: "attribute_not_exists(pk) OR orgId = :org",
              ExpressionAttributeValues: { ":org": parsed.orgId },
            },
          }),
        ),
      ];
      try {
        await doc.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = (error.CancellationReasons ?? []).map((r) => r.Code);
        const taken = claimed.find((_, i) => reasons[i + 1] === "ConditionalCheckFailed");
        if (taken !== undefined)
          throw new AppError(
            "already_exists",
            `domains: ${taken} is already claimed by another organization`,
            {
              issues: [{ path: "domains", message: `${taken} is already claimed by another organization` }],
            },
          );
        if (reasons[0] === "ConditionalCheckFailed") return false;
        throw error;
      }
    },

    async orgOfDomain(domain) {
      const item = await read(domainKey(domain));
      return item ? parseItem(DomainClaim, item, "domain claim").orgId : undefined;
    },

    async putPending(pending) {
      const parsed = PendingSso.parse(pending);
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...parsed,
            ...pendingKey(parsed.hash),
            [TTL_ATTRIBUTE]: ttlOf(parsed.expiresAt),
            entity: "sso-pending",
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    },

    async getPending(hash) {
      if (!HASH.test(hash)) return undefined;
      const item = await read(pendingKey(hash));
      return item ? parseItem(PendingSso, item, "pending sign-in") : undefined;
    },

    async consumePending(hash, kind, now) {
      if (!HASH.test(hash)) return undefined;
      try {
        const { Attributes } = await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: pendingKey(hash),
            ConditionExpression: "attribute_exists(pk) AND kind = :kind AND expiresAt > :now",
            ExpressionAttributeValues: { ":kind": kind, ":now": now },
            ReturnValues: "ALL_OLD",
          }),
        );
        if (!Attributes) return undefined;
        const pending = parseItem(PendingSso, Attributes, "pending sign-in");
        return pending.kind === kind ? (pending as Extract<PendingSso, { kind: typeof kind }>) : undefined;
      } catch (error) {
        if (isConditionFailed(error)) return undefined;
        throw error;
      }
    },

    async getIdentity(issuer, subject) {
      const item = await read(identityKey(issuer, subject));
      return item ? parseItem(SsoIdentity, item, "SSO identity") : undefined;
    },

    async putIdentity(identity) {
      const parsed = SsoIdentity.parse(identity);
      return putIfAbsent(doc, tableName, {
        ...parsed,
        ...identityKey(parsed.issuer, parsed.subject),
        entity: "sso-identity",
      });
    },
  };
};
