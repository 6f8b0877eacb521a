/**
 * Property-based tests (fast-check) against every documented route of a real control plane:
 * random and hostile path parameters, bodies and headers never cause a 5xx, and a rejected
 * request (4xx) leaves the table exactly as it was (except rate-limit counters and tokens'
 * lastUsedAt, which count attempts by design).
 *
 * FUZZ_RUNS sets the runs per route (default 15).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { documentClient } from "../adapters/aws/dynamo-support.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { createTenantFixture, type TenantFixture } from "../testing/tenant-fixture.ts";
import type { RouteSpec } from "./route-spec.ts";
import { allRouteSpecs } from "./routes/openapi.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
const HIGH = { limit: 1_000_000, windowSeconds: 60 };

const ascii = (max: number) =>
  fc.string({ unit: fc.constantFrom(..."abcAZ09 -_./:;=%#?&'\"<>{}[]\\!$*".split("")), maxLength: max });

const hostileText = fc.constantFrom(
  "..",
  "%2e%2e%2f",
  "%00",
  "ORG#other",
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  "$" + "{jndi:ldap://x}", // a log4j-style lookup, as literal text
  "a".repeat(400),
  "\u202e\u0000",
  "💥",
  "__proto__",
  "constructor",
);

const hostileBody = fc.constantFrom(
  '{"__proto__":{"role":"owner"}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  "[".repeat(5_000),
  `{"name":"${"x".repeat(20_000)}"}`,
  "x".repeat(1_100_000),
  '{"email":"a@b.c","password":"Password123!","role":"owner","orgId":"other","id":"../../x"}',
  "null",
  "\u0000\u0001",
  "apiVersion: v1\nkind: TestWorkflow\nmetadata: &a [*a, *a]\n",
);

/** Items of the table, minus what counts attempts by design, in a stable order. */
async function snapshot(plane: TestControlPlane): Promise<string> {
  const { client, tableName } = plane.dynamo();
  const doc = documentClient(client);
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) {
      if (String(item.pk).startsWith("RATE#")) continue;
      const { lastUsedAt: _used, ...rest } = item;
      items.push(rest);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items
    .map((i) => JSON.stringify(i, Object.keys(i).sort()))
    .sort()
    .join("\n");
}

/**
 * The table once it has stopped changing: an accepted request of an earlier case may still be
 * settling (an abort's slot release, status announcement and jobs run after its answer), and a
 * rejected request is judged only against a table that is at rest.
 */
async function settledSnapshot(plane: TestControlPlane): Promise<string> {
  let last = await snapshot(plane);
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await snapshot(plane);
    if (next === last) return next;
    last = next;
  }
  return last;
}

/**
 * The server may answer a request (a 400 for a body over 1 MiB, a 401) without reading its body
 * and then close that keep-alive connection; the client can have already picked the closing
 * socket for the next request. Such a transport failure is retried once on a new connection.
 */
async function sendOnce(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code !== "UND_ERR_SOCKET" && code !== "ECONNRESET") throw error;
    return fetch(url, init);
  }
}

describe("property-based: hostile requests on every route", () => {
  let plane: TestControlPlane;
  let fx: TenantFixture;
  before(async () => {
    plane = await startTestControlPlane({
      tenancy: {
        rateLimits: {
          "auth-failure:ip": HIGH,
          "login:ip": HIGH,
          "signup:ip": HIGH,
          "verify:ip": HIGH,
          "reset:ip": HIGH,
          "reset-confirm:ip": HIGH,
          "accept:ip": HIGH,
        },
      },
    });
    fx = await createTenantFixture(plane);
  });
  after(async () => {
    await plane?.stop();
  });

  const request = (spec: RouteSpec) => {
    const paramNames = [...spec.path.matchAll(/:([A-Za-z0-9_]+)|\*/g)].map((m) => m[1] ?? "*");
    const param = fc.oneof(
      { weight: 3, arbitrary: fc.constant<string | undefined>(undefined) }, // the fixture's valid id
      { weight: 2, arbitrary: hostileText },
      { weight: 2, arbitrary: fc.string({ maxLength: 80 }) },
      { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,70}$/) },
    );
    // Valid owner credentials only where a lucky valid request cannot destroy the fixture.
    const owner = spec.method === "delete" ? [] : [fc.constant(`Bearer ${fx.tokens.owner}`)];
    return fc.record({
      params: fc.tuple(...paramNames.map(() => param)),
      body: fc.oneof(
        fc.constant<string | undefined>(undefined),
        fc.json({ maxDepth: 4 }),
        fc.string({ maxLength: 200 }),
        hostileBody,
        fc
          .dictionary(
            fc.constantFrom(
              "email",
              "password",
              "name",
              "role",
              "id",
              "plan",
              "token",
              "expiresAt",
              "config",
            ),
            fc.jsonValue({ maxDepth: 2 }),
          )
          .map((o) => JSON.stringify(o)),
      ),
      authorization: fc.option(
        fc.oneof(
          ...owner,
          fc.constant(`Bearer ${fx.agentToken}`),
          fc.constant(`Bearer ${fx.tokens.viewer}`),
          ascii(120),
          ascii(100).map((s) => `Bearer asy_api_${s}`),
        ),
      ),
      cookie: fc.option(
        fc.oneof(
          ascii(80).map((s) => `assay_session=${s}`),
          ascii(80),
          fc.constant(`assay_session=${fx.outsider.cookie}`),
        ),
      ),
      csrf: fc.option(fc.constantFrom("1", "0", "", "true")),
      contentType: fc.option(
        fc.constantFrom(
          "application/json",
          "text/plain",
          "application/yaml",
          "multipart/form-data; boundary=x",
          "application/x-www-form-urlencoded",
        ),
      ),
      query: fc.option(
        fc
          .dictionary(
            fc.constantFrom("limit", "cursor", "to", "follow", "offset", "x", "__proto__"),
            ascii(30),
          )
          .map((d) => new URLSearchParams(d).toString()),
      ),
    });
  };

  const pathOf = (spec: RouteSpec, values: Array<string | undefined>) => {
    let i = 0;
    const valid = fx.pathFor(spec.path).split("/");
    return spec.path
      .split("/")
      .map((segment, index) => {
        if (!segment.startsWith(":") && segment !== "*") return segment;
        const value = values[i++];
        return value === undefined ? valid[index] : encodeURIComponent(value);
      })
      .join("/");
  };

  for (const spec of allRouteSpecs({ devOutbox: true })) {
    test(`${spec.method.toUpperCase()} ${spec.path}`, async () => {
      await fc.assert(
        fc.asyncProperty(request(spec), async (req) => {
          const headers = new Headers();
          if (req.authorization !== null) headers.set("authorization", req.authorization);
          if (req.cookie !== null) headers.set("cookie", req.cookie);
          if (req.csrf !== null) headers.set("x-assay-csrf", req.csrf);
          if (req.contentType !== null) headers.set("content-type", req.contentType);
          const url = `${plane.apiUrl}${pathOf(spec, req.params)}${req.query ? `?${req.query}` : ""}`;
          const before = await settledSnapshot(plane);
          const init: RequestInit = {
            method: spec.method.toUpperCase(),
            headers,
            redirect: "manual",
            ...(req.body !== undefined && spec.method !== "get" ? { body: req.body } : {}),
          };
          const res = await sendOnce(url, init);
          // A follow stream never ends: cancel it unread. Any other body is read whole (and a
          // body already read must not be cancelled: an empty 200 made that throw).
          const streaming = res.headers.get("content-type")?.includes("event-stream") === true;
          const text = streaming ? "" : await res.text();
          if (streaming) await res.body?.cancel();
          assert.ok(res.status < 500, `${res.status} ${text.slice(0, 300)}`);
          if (res.status >= 400)
            assert.equal(
              await snapshot(plane),
              before,
              `a rejected request (${res.status}) changed the table`,
            );
        }),
        { numRuns: RUNS },
      );
    });
  }

  test("the server logged no unhandled error", () => {
    const errors = plane.logger.lines.filter((l) => l.includes('"unhandled error"'));
    assert.deepEqual(errors, []);
  });
});
