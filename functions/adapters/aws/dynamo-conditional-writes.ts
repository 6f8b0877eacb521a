/**
 * The writes most stores make that answer whether they happened: put an item only where none
 * stands under its key, update an item only while its condition holds (reading back what was
 * written), delete an item and say whether there was one. A failed condition is an answer
 * (false / undefined), never an error; any other failure is thrown.
 */

import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { isConditionFailed } from "./dynamo-support.ts";

/** Puts `item` unless an item with its key exists; false when one did (nothing is written). */
export const putIfAbsent = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
): Promise<boolean> => {
  try {
    await doc.send(
      new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(pk)" }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
};

/**
 * Runs an UpdateItem whose input carries its ConditionExpression and returns the item as written,
 * or undefined when the condition did not hold (nothing is written).
 */
export const updateIfMatches = async (
  doc: DynamoDBDocumentClient,
  input: Omit<UpdateCommandInput, "ReturnValues">,
): Promise<Record<string, unknown> | undefined> => {
  try {
    const { Attributes } = await doc.send(new UpdateCommand({ ...input, ReturnValues: "ALL_NEW" }));
    return Attributes;
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
};

/** Deletes the item under `key`; false when there was none. */
export const deleteItem = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: { pk: string; sk: string },
): Promise<boolean> => {
  const { Attributes } = await doc.send(
    new DeleteCommand({ TableName: tableName, Key: key, ReturnValues: "ALL_OLD" }),
  );
  return Attributes !== undefined;
};
