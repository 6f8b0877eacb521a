/**
 * The accounts and tenancy stores on DynamoDB Local, with the races that matter: two owners
 * demoting each other, parallel environment creation at the plan limit, a one-time token used
 * twice at once, run slots at the limit, presence from an old session after a reconnect, and
 * two processes claiming one agent identity at once.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { type Membership, systemClock } from "@assay/shared";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { RateLimiter } from "../../core/ports.ts";
import { createRateLimitBudget } from "../../core/rate-limit-budget.ts";
import { type DynamoDbLocal, startDynamoDbLocal } from "../local/dynamodb-local.ts";
import { createDynamoOrgStore } from "./dynamo-org-store.ts";
import { documentClient } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";
import { createTableIfMissing } from "./dynamo-table-setup.ts";
import { createDynamoTenancyStores, type DynamoTenancyStores } from "./dynamo-tenancy-stores.ts";

const NOW = "2026-01-01T00:00:00.000Z";
const member = (orgId: string, userId: string, role: Membership["role"]): Membership => ({
  orgId,
  userId,
  email: `${userId}@example.com`,
  name: "",
  role,
  createdAt: NOW,
});
const hash = () => randomBytes(32).toString("hex");

describe("DynamoDB tenancy stores", () => {
  let server: DynamoDbLocal;
  let client: DynamoDBClient;
  let stores: DynamoTenancyStores;
  let orgStore: ReturnType<typeof createDynamoOrgStore>;
  let n = 0;
  const newOrg = async (ownerId = "usr_a") => {
    const id = `org-${++n}`;
    await orgStore.createWithOwner(
      { id, name: id, plan: "free", createdAt: NOW },
      member(id, ownerId, "owner"),
    );
    return id;
  };

  before(async () => {
    server = await startDynamoDbLocal({ inMemory: true });
    client = new DynamoDBClient({
      endpoint: server.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    await createTableIfMissing(client, "assay");
    stores = createDynamoTenancyStores({ client, tableName: "assay", clock: systemClock });
    orgStore = createDynamoOrgStore({ client, tableName: "assay" });
  });
  after(async () => {
    client?.destroy();
    await server?.stop();
  });

  test("two owners demoting each other at once: exactly one succeeds", async () => {
    const org = await newOrg("usr_a");
    const invite = {
      id: "inv_1",
      hash: hash(),
      orgId: org,
      email: "usr_b@example.com",
      role: "owner" as const,
    };
    await stores.invitations.put({
      ...invite,
      invitedBy: "a",
      createdAt: NOW,
      expiresAt: "2099-01-01T00:00:00.000Z",
    });
    assert.ok(await stores.invitations.accept(invite.hash, member(org, "usr_b", "owner"), NOW));
    const results = await Promise.allSettled([
      stores.members.setRole(org, "usr_a", "admin"),
      stores.members.setRole(org, "usr_b", "admin"),
    ]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    const roles = (await stores.members.listByOrg(org)).map((m) => m.role).sort();
    assert.deepEqual(roles, ["admin", "owner"]);
    const owner = (await stores.members.listByOrg(org)).find((m) => m.role === "owner");
    assert.ok(owner);
    await assert.rejects(stores.members.remove(org, owner.userId), /at least one owner/);
  });

  test("parallel environment creation never exceeds the limit", async () => {
    const org = await newOrg();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        orgStore.createEnv({ orgId: org, id: `e${i}`, name: "e", createdAt: NOW }, 3),
      ),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 3);
    assert.equal((await orgStore.listEnvs(org)).length, 3);
    const first = (await orgStore.listEnvs(org))[0]?.id ?? "";
    assert.ok(await orgStore.deleteEnv({ orgId: org, envId: first }));
    assert.equal(await orgStore.deleteEnv({ orgId: org, envId: first }), false);
    await orgStore.createEnv({ orgId: org, id: "again", name: "e", createdAt: NOW }, 3);
    assert.equal((await orgStore.listEnvs(org)).length, 3);
  });

  test("an org from before the counters seeds its environment count", async () => {
    await orgStore.createOrg({ id: "legacy", name: "L", plan: "free", createdAt: NOW });
    // Environments written before the counter existed: plain items, no envCount on the org.
    for (const id of ["a", "b"]) {
      await documentClient(client).send(
        new PutCommand({
          TableName: "assay",
          Item: { orgId: "legacy", id, name: id, createdAt: NOW, ...keys.env("legacy", id), entity: "env" },
        }),
      );
    }
    await orgStore.createEnv({ orgId: "legacy", id: "c", name: "c", createdAt: NOW }, 3);
    await assert.rejects(
      orgStore.createEnv({ orgId: "legacy", id: "d", name: "d", createdAt: NOW }, 3),
      /at most 3/,
    );
  });

  test("a one-time token is consumed once, even concurrently, and never after expiry", async () => {
    const h = hash();
    await stores.oneTimeTokens.put({
      hash: h,
      purpose: "reset-password",
      email: "x@example.com",
      userId: "usr_x",
      createdAt: NOW,
      expiresAt: "2099-01-01T00:00:00.000Z",
    });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => stores.oneTimeTokens.consume(h, "reset-password", NOW)),
    );
    assert.equal(results.filter(Boolean).length, 1);
    const old = hash();
    await stores.oneTimeTokens.put({
      hash: old,
      purpose: "verify-email",
      email: "y@example.com",
      createdAt: NOW,
      expiresAt: NOW,
    });
    assert.equal(await stores.oneTimeTokens.consume(old, "verify-email", NOW), undefined);
    assert.equal(await stores.oneTimeTokens.consume(hash(), "verify-email", NOW), undefined);
  });

  test("only the newest one-time token of a purpose and email can be consumed", async () => {
    const token = (h: string, purpose: "reset-password" | "verify-email", email = "Z@example.com") => ({
      hash: h,
      purpose,
      email,
      createdAt: NOW,
      expiresAt: "2099-01-01T00:00:00.000Z",
    });
    const [a, b, other] = [hash(), hash(), hash()];
    await stores.oneTimeTokens.put(token(a, "reset-password"));
    await stores.oneTimeTokens.put(token(other, "verify-email", "z@example.com"));
    await stores.oneTimeTokens.put(token(b, "reset-password", "z@example.com"));
    assert.equal(await stores.oneTimeTokens.consume(a, "reset-password", NOW), undefined, "b retired a");
    assert.ok(await stores.oneTimeTokens.get(a), "a retired token is still readable, not usable");
    assert.equal((await stores.oneTimeTokens.consume(b, "reset-password", NOW))?.hash, b);
    assert.equal(await stores.oneTimeTokens.consume(a, "reset-password", NOW), undefined);
    assert.equal(
      (await stores.oneTimeTokens.consume(other, "verify-email", NOW))?.hash,
      other,
      "per purpose",
    );
  });

  test("run slots hold at the limit under concurrency; holds are idempotent per holder", async () => {
    const acquired = await Promise.all(
      Array.from({ length: 10 }, (_, i) => stores.runSlots.acquire("slots", "running", `e/${i}`, 4)),
    );
    assert.equal(acquired.filter(Boolean).length, 4);
    const holders = await stores.runSlots.holders("slots", "running");
    assert.equal(holders.length, 4);
    assert.ok(await stores.runSlots.acquire("slots", "running", holders[0] ?? "", 4), "a holder holds again");
    for (const h of holders) await stores.runSlots.release("slots", "running", h);
    await stores.runSlots.release("slots", "running", holders[0] ?? "");
    assert.deepEqual(await stores.runSlots.holders("slots", "running"), []);
    assert.ok(await stores.runSlots.acquire("slots", "running", "e/a", 1));
    assert.equal(await stores.runSlots.acquire("slots", "running", "e/b", 1), false);
    assert.ok(await stores.runSlots.acquire("slots", "queued", "e/b", 1), "pools are separate");
  });

  test("rate limiter: fixed windows shared by every caller", async () => {
    const t = Date.UTC(2026, 0, 1, 0, 0, 30);
    const hits = await Promise.all(Array.from({ length: 5 }, () => stores.rateLimiter.hit("k", 3, 60, t)));
    assert.equal(hits.filter((h) => h.allowed).length, 3);
    assert.equal(hits[0]?.retryAfterSeconds, 30);
    assert.ok((await stores.rateLimiter.hit("k", 3, 60, t + 60_000)).allowed, "a new window");
  });

  test("rate limiter: a reservation is granted what is left of the limit", async () => {
    const t = Date.UTC(2026, 0, 1, 0, 0, 45);
    assert.deepEqual(await stores.rateLimiter.reserve("r", 4, 10, 60, t), {
      granted: 4,
      countBefore: 0,
      retryAfterSeconds: 15,
    });
    assert.equal((await stores.rateLimiter.reserve("r", 4, 10, 60, t)).granted, 4);
    const partial = await stores.rateLimiter.reserve("r", 4, 10, 60, t);
    assert.deepEqual([partial.granted, partial.countBefore], [2, 8]);
    assert.equal((await stores.rateLimiter.reserve("r", 1, 10, 60, t)).granted, 0, "the window is full");
    assert.equal(
      (await stores.rateLimiter.hit("r", 10, 60, t)).allowed,
      false,
      "hits count the reservations",
    );
  });

  test("rate limit budgets of two processes never grant more than the shared limit, in fewer writes", async () => {
    const t = Date.UTC(2026, 0, 1, 0, 1, 10);
    let writes = 0;
    const counted: RateLimiter = {
      hit: (...args) => stores.rateLimiter.hit(...args),
      reserve: (...args) => {
        writes++;
        return stores.rateLimiter.reserve(...args);
      },
    };
    // Two ingress processes, each with its own local share, bursting on one key.
    const processes = [createRateLimitBudget(counted), createRateLimitBudget(counted)];
    const burst = (budget: ReturnType<typeof createRateLimitBudget>) =>
      Promise.all(Array.from({ length: 150 }, () => budget.hit("b", 200, 60, t)));
    const answers = (await Promise.all(processes.map(burst))).flat();
    assert.equal(answers.filter((a) => a.allowed).length, 200, "every hit of the limit, and not one more");
    assert.ok(answers.filter((a) => !a.allowed).every((a) => a.retryAfterSeconds === 50));
    assert.ok(writes < 60, `${writes} writes for 300 hits`);
    // Once a process saw the window full it refuses without writing; a new window starts over.
    const before = writes;
    assert.equal((await processes[0]?.hit("b", 200, 60, t))?.allowed, false);
    assert.equal(writes, before);
    assert.equal((await processes[1]?.hit("b", 200, 60, t + 60_000))?.allowed, true);
  });

  test("rate limit budget: small limits are counted one write per hit", async () => {
    const t = Date.UTC(2026, 0, 1, 0, 2, 0);
    const [a, b] = [createRateLimitBudget(stores.rateLimiter), createRateLimitBudget(stores.rateLimiter)];
    const allowed = [];
    for (let i = 0; i < 4; i++) {
      allowed.push((await a.hit("s", 5, 60, t)).allowed, (await b.hit("s", 5, 60, t)).allowed);
    }
    assert.deepEqual(allowed, [true, true, true, true, true, false, false, false]);
    assert.equal(
      (await stores.rateLimiter.reserve("s", 1, 5, 60, t)).countBefore,
      6,
      "nothing reserved unspent",
    );
  });

  test("presence: a late write of a replaced session is ignored", async () => {
    const base = {
      orgId: "p",
      envId: "e",
      agentId: "a1",
      version: "1",
      hostname: "h",
      capabilities: [],
      connectedAt: NOW,
      lastHeartbeatAt: NOW,
    };
    await stores.presence.connected({ ...base, sessionId: "s1" });
    await stores.presence.connected({ ...base, sessionId: "s2" });
    await stores.presence.disconnected({ orgId: "p", envId: "e" }, "a1", "s1", NOW);
    const [agent] = await stores.presence.list({ orgId: "p", envId: "e" });
    assert.equal(agent?.sessionId, "s2");
    assert.equal(agent?.disconnectedAt, undefined);
    await stores.presence.heartbeat({ orgId: "p", envId: "e" }, "a1", "s2", "2026-01-01T00:01:00.000Z");
    assert.equal(
      (await stores.presence.list({ orgId: "p", envId: "e" }))[0]?.lastHeartbeatAt,
      "2026-01-01T00:01:00.000Z",
    );
  });

  test("presence: many agents recorded in batches (more than one BatchWriteItem)", async () => {
    const records = Array.from({ length: 60 }, (_, i) => ({
      orgId: "pb",
      envId: "e",
      agentId: `agent-${String(i).padStart(2, "0")}`,
      sessionId: `s${i}`,
      version: "1",
      hostname: "h",
      capabilities: ["runner.process"],
      connectedAt: NOW,
      lastHeartbeatAt: NOW,
    }));
    await stores.presence.record(records);
    const listed = await stores.presence.list({ orgId: "pb", envId: "e" });
    assert.equal(listed.length, 60);
    assert.deepEqual(listed.map((a) => a.sessionId).sort(), records.map((r) => r.sessionId).sort());
    // A later refresh replaces the record; the session's disconnect still applies to it.
    await stores.presence.record([
      { ...records[0], lastHeartbeatAt: "2026-01-01T00:02:00.000Z" } as (typeof records)[0],
    ]);
    await stores.presence.disconnected(
      { orgId: "pb", envId: "e" },
      "agent-00",
      "s0",
      "2026-01-01T00:03:00.000Z",
    );
    const first = (await stores.presence.list({ orgId: "pb", envId: "e" })).find(
      (a) => a.agentId === "agent-00",
    );
    assert.equal(first?.lastHeartbeatAt, "2026-01-01T00:02:00.000Z");
    assert.equal(first?.disconnectedAt, "2026-01-01T00:03:00.000Z");
  });

  test("sessions end together; users own their email", async () => {
    const user = { id: "usr_s", email: "s@example.com", name: "", passwordHash: "scrypt$x", createdAt: NOW };
    await stores.users.create(user);
    await assert.rejects(stores.users.create({ ...user, id: "usr_t" }), /already exists/);
    assert.equal((await stores.users.getByEmail("s@example.com"))?.id, "usr_s");
    const hashes = [hash(), hash()];
    for (const h of hashes)
      await stores.sessions.put({
        hash: h,
        userId: "usr_s",
        createdAt: NOW,
        expiresAt: "2099-01-01T00:00:00.000Z",
      });
    await stores.sessions.deleteAllForUser("usr_s");
    for (const h of hashes) assert.equal(await stores.sessions.get(h), undefined);
  });

  test("agent identity: one claimant at a time, the secret checked, renewals, release and lapse", async () => {
    const base = { orgId: "org-id", envId: "env-id", agentId: "agt_000000000000000000000001" };
    const secretHash = hash();
    await stores.agentIdentities.create({ ...base, secretHash, hostname: "h", createdAt: NOW });
    await assert.rejects(
      stores.agentIdentities.create({ ...base, secretHash, hostname: "h", createdAt: NOW }),
      /already exists/,
    );
    const claim = (instanceId: string, sessionId: string, nowMs: number, hashOf = secretHash) =>
      stores.agentIdentities.claim({
        ...base,
        secretHash: hashOf,
        instanceId,
        sessionId,
        hostname: `host-${instanceId}`,
        nowMs,
        heldUntilMs: nowMs + 1_000,
      });
    // Two processes at once: exactly one wins.
    const race = await Promise.all([claim("i-one", "s1", 0), claim("i-two", "s2", 0)]);
    assert.equal(race.filter((r) => r.ok).length, 1);
    const winner = race[0]?.ok ? "i-one" : "i-two";
    const loser = winner === "i-one" ? "i-two" : "i-one";
    const refused = race.find((r) => !r.ok);
    assert.deepEqual(refused && !refused.ok && refused.reason, "held");
    assert.ok(refused && !refused.ok && refused.reason === "held" && refused.hostname === `host-${winner}`);
    assert.deepEqual(await claim(winner, "s3", 500), { ok: true }, "the holder reconnects");
    assert.deepEqual(await claim(loser, "s4", 100, hash()), { ok: false, reason: "bad_secret" });
    assert.deepEqual(
      await stores.agentIdentities.claim({
        ...base,
        agentId: "agt_unknown",
        secretHash,
        instanceId: "x",
        sessionId: "s",
        hostname: "",
        nowMs: 0,
        heldUntilMs: 1,
      }),
      { ok: false, reason: "unknown" },
    );
    // A release by a stream that no longer holds the claim changes nothing; the holder's frees it.
    await stores.agentIdentities.release(base, base.agentId, "s1");
    assert.equal((await claim(loser, "s5", 600)).ok, false);
    await stores.agentIdentities.release(base, base.agentId, "s3");
    assert.deepEqual(await claim(loser, "s6", 700), { ok: true });
    // An unreleased claim lapses at heldUntilMs (an ingress that vanished).
    assert.equal((await claim(winner, "s7", 1_600)).ok, false);
    assert.deepEqual(await claim(winner, "s8", 1_701), { ok: true });
  });
});
