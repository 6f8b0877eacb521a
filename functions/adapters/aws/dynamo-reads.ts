/**
 * The reads most stores make: one item by its key, every item a query matches (all pages), and
 * the common query of one partition's items whose sort key starts with a prefix. Items come back
 * raw; each store parses them with its own schema (parseItem).
 */

import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";

type Item = Record<string, unknown>;

/** The item under `key` (a strongly consistent read), or undefined when there is none. */
export const getItem = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: { pk: string; sk: string },
): Promise<Item | undefined> => {
  const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return Item;
};

/** Every item the query matches, following its pages to the end. */
export const queryAll = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  query: Omit<QueryCommandInput, "TableName">,
): Promise<Item[]> => {
  const items: Item[] = [];
  for await (const page of paginateQuery({ client: doc }, { TableName: tableName, ...query })) {
    items.push(...(page.Items ?? []));
  }
  return items;
};

/**
 * Every item of partition `pk` whose sort key begins with `prefix`, the whole partition for ""
 * (strongly consistent).
 */
export const queryPrefix = (
  doc: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  prefix: string,
): Promise<Item[]> =>
  queryAll(
    doc,
    tableName,
    prefix === ""
      ? { KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": pk }, ConsistentRead: true }
      : {
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": pk, ":prefix": prefix },
          ConsistentRead: true,
        },
  );
