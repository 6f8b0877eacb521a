/**
 * Mapping between executions and their DynamoDB items, and the update expressions of state
 * transitions. The sparse index attributes follow the status: GSI2 (queue) exists only while
 * `queued`, GSI3 (agent) only while `assigned`/`running`. Every transition that changes the
 * status rewrites them in the same conditional update, so the indexes can never disagree with
 * the status they summarise. GSI4 (leases) follows `leaseExpiresAtMs` the same way; a queued
 * execution's lease is its `spec.timeouts.queue` deadline, so the reaper reads both.
 */
import { AppError, Execution, ExecutionStatus, isTerminal } from "@assay/shared";
import type { ExecutionTransition } from "../../core/ports.ts";
import { keys, LEASE_SHARDS } from "./dynamo-table.ts";

/** The lease index shard of an execution: stable, spread by the id's random part. */
const leaseShard = (id: string): number => {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % LEASE_SHARDS;
};

type StatusClass = "queued" | "active" | "terminal";

const classOf = (status: ExecutionStatus): StatusClass =>
  status === "queued" ? "queued" : isTerminal(status) ? "terminal" : "active";

/** Fields a transition must never change (identity and the immutable spec). */
const IMMUTABLE = new Set(["id", "orgId", "envId", "workflowName", "createdAt", "specYaml"]);

/** The full item for a new execution: domain fields, keys and the index attributes. */
export const toExecutionItem = (execution: Execution): Record<string, unknown> => {
  const { orgId, envId, id } = execution;
  const item: Record<string, unknown> = {
    ...execution,
    ...keys.execution(orgId, envId, id),
    gsi1pk: keys.executionsByWorkflow(orgId, envId, execution.workflowName),
    gsi1sk: `${keys.executionPrefix}${id}`,
    entity: "execution",
  };
  const statusClass = classOf(execution.status);
  if (statusClass === "queued") {
    item.gsi2pk = keys.queue(orgId, envId);
    item.gsi2sk = id;
  } else if (statusClass === "active" && execution.agentId !== undefined) {
    item.gsi3pk = keys.agent(orgId, envId, execution.agentId);
    item.gsi3sk = `${keys.executionPrefix}${id}`;
  }
  if (statusClass !== "terminal" && execution.leaseExpiresAtMs !== undefined) {
    item.gsi4pk = keys.leaseShard(leaseShard(id));
    item.gsi4sk = keys.leaseSort(execution.leaseExpiresAtMs, orgId, envId, id);
  }
  return item;
};

/** An UpdateCommand's expression parts. */
export interface UpdateParts {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/** Builds the conditional update for `transition`; throws `invalid_argument` on a bad request. */
export const buildTransitionUpdate = (
  orgId: string,
  envId: string,
  id: string,
  t: ExecutionTransition,
): UpdateParts => {
  if (t.from.length === 0)
    throw new AppError("invalid_argument", "transition needs at least one from-status");
  const names: Record<string, string> = { "#status": "status" };
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];

  const fromStatuses = t.from.map((status, i) => {
    if (!ExecutionStatus.safeParse(status).success) {
      throw new AppError("invalid_argument", `unknown status ${String(status)}`);
    }
    values[`:from${i}`] = status;
    return `:from${i}`;
  });

  // A field present with the value `undefined` is removed (e.g. `agentId` when work is released).
  let i = 0;
  for (const [field, value] of Object.entries(t.set)) {
    const schema = Execution.shape[field as keyof typeof Execution.shape];
    if (schema === undefined || IMMUTABLE.has(field)) {
      throw new AppError("invalid_argument", `transition cannot set ${field}`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new AppError(
        "invalid_argument",
        `invalid value for ${field}${value === undefined ? " (required)" : ""}`,
      );
    }
    names[`#f${i}`] = field;
    if (value === undefined) {
      removes.push(`#f${i}`);
    } else {
      values[`:v${i}`] = parsed.data;
      sets.push(`#f${i} = :v${i}`);
    }
    i++;
  }

  const setIndex = (prefix: "gsi2" | "gsi3" | "gsi4", pk: string, sk: string) => {
    sets.push(`${prefix}pk = :${prefix}pk`, `${prefix}sk = :${prefix}sk`);
    values[`:${prefix}pk`] = pk;
    values[`:${prefix}sk`] = sk;
  };
  const agentCleared = "agentId" in t.set && t.set.agentId === undefined;
  const newAgent = agentCleared ? undefined : (t.set.agentId ?? t.agentId);
  const fromClasses = new Set(t.from.map(classOf));
  const targetClass: StatusClass | undefined =
    t.set.status !== undefined
      ? classOf(t.set.status)
      : fromClasses.size === 1
        ? [...fromClasses][0]
        : undefined;
  if (t.set.status !== undefined) {
    if (targetClass === "queued") {
      setIndex("gsi2", keys.queue(orgId, envId), id);
      removes.push("gsi3pk", "gsi3sk");
    } else if (targetClass === "active") {
      removes.push("gsi2pk", "gsi2sk");
      // Without a named agent the stored agent (and its index entry, written at assignment) stays.
      if (agentCleared) removes.push("gsi3pk", "gsi3sk");
      else if (newAgent !== undefined) {
        setIndex("gsi3", keys.agent(orgId, envId, newAgent), `${keys.executionPrefix}${id}`);
      }
    } else {
      removes.push("gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk", "gsi4pk", "gsi4sk");
    }
    if (targetClass === "queued") removes.push("gsi4pk", "gsi4sk");
  } else if ("agentId" in t.set) {
    if (targetClass === undefined) {
      throw new AppError(
        "invalid_argument",
        "changing the agent needs a status or from-statuses of one kind",
      );
    }
    if (targetClass === "active") {
      if (newAgent === undefined) removes.push("gsi3pk", "gsi3sk");
      else setIndex("gsi3", keys.agent(orgId, envId, newAgent), `${keys.executionPrefix}${id}`);
    }
  }

  if ("leaseExpiresAtMs" in t.set && targetClass !== "terminal" && targetClass !== "queued") {
    const lease = t.set.leaseExpiresAtMs;
    if (lease === undefined) removes.push("gsi4pk", "gsi4sk");
    else setIndex("gsi4", keys.leaseShard(leaseShard(id)), keys.leaseSort(lease, orgId, envId, id));
  }

  const conditions = [`#status IN (${fromStatuses.join(", ")})`];
  if (t.leaseExpiredBeforeMs !== undefined) {
    names["#lease"] = "leaseExpiresAtMs";
    values[":leaseBefore"] = t.leaseExpiredBeforeMs;
    conditions.push("#lease < :leaseBefore");
  }
  if (t.agentId !== undefined) {
    names["#agentId"] = "agentId";
    values[":heldBy"] = t.agentId;
    conditions.push("#agentId = :heldBy");
  }
  if (sets.length === 0 && removes.length === 0) {
    // A transition that changes nothing still checks its condition: rewrite the status as is.
    sets.push("#status = #status");
  }
  const clauses = [
    sets.length > 0 ? `SET ${sets.join(", ")}` : "",
    removes.length > 0 ? `REMOVE ${[...new Set(removes)].join(", ")}` : "",
  ];
  return {
    UpdateExpression: clauses.filter(Boolean).join(" "),
    ConditionExpression: conditions.join(" AND "),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
};
