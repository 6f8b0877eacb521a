import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { type Clock, systemClock } from "@assay/shared/time";
import { createTestClock } from "../test-clock.ts";
import { createProgram, main } from "./main.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let dir: string;
let server: Server | undefined;
let seen: Seen[] = [];
type Handler = (req: Seen, res: ServerResponse) => void;

const serve = async (handler: Handler): Promise<string> => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (p: Buffer) => parts.push(p));
    req.on("end", () => {
      const entry = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(parts).toString(),
      };
      seen.push(entry);
      handler(entry, res);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

const run = async (
  args: string[],
  env: Record<string, string> = {},
  cwd = dir,
  clock: Clock = systemClock,
) => {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: {
      write: (c: string | Uint8Array) => (stdout += typeof c === "string" ? c : Buffer.from(c).toString()),
    },
    stderr: { write: (c: string) => (stderr += c) },
    env: { ASSAY_DATA_DIR: join(dir, "nowhere"), ...env },
    cwd,
    clock,
    color: false,
  });
  return { code, stdout, stderr };
};

const flags = (url: string) => ["--url", url, "--token", "asy_api_t", "--org", "acme", "--env", "staging"];

const execution = (overrides: Record<string, unknown> = {}) => ({
  id: "01HZX0000000000000000000AB",
  orgId: "acme",
  envId: "staging",
  workflowName: "smoke",
  status: "queued",
  createdAt: "2025-01-01T10:00:00.000Z",
  config: {},
  tags: {},
  steps: [],
  logBytes: 0,
  warnings: [],
  ...overrides,
});

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "assay-cli-test-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  seen = [];
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe("assay CLI", () => {
  it("finds .assay/local.json in a parent directory and calls the scoped API with the token", async () => {
    const url = await serve((_req, res) =>
      json(res, 200, {
        items: [{ name: "smoke", labels: { team: "qa" }, updatedAt: "2025-01-01T10:00:00.000Z" }],
      }),
    );
    const project = join(dir, "project");
    await mkdir(join(project, ".assay"), { recursive: true });
    await mkdir(join(project, "deep", "er"), { recursive: true });
    await writeFile(
      join(project, ".assay", "local.json"),
      JSON.stringify({
        apiUrl: url,
        ingressUrl: "https://localhost:1",
        orgId: "demo",
        envId: "local",
        apiToken: "asy_api_local",
      }),
    );
    const out = await run(["workflow", "list"], {}, join(project, "deep", "er"));
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^NAME\s+LABELS\s+UPDATED\nsmoke\s+team=qa\s+2025-01-01/);
    assert.equal(seen[0]?.url, "/v1/orgs/demo/envs/local/workflows");
    assert.equal(seen[0]?.headers.authorization, "Bearer asy_api_local");
    // Flags and environment win over local.json, value by value.
    await run(["workflow", "list", "--env", "other"], { ASSAY_ORG: "envorg" }, join(project, "deep"));
    assert.equal(seen[1]?.url, "/v1/orgs/envorg/envs/other/workflows");
    const viaDataDir = await run(
      ["workflow", "list", "-o", "json"],
      { ASSAY_DATA_DIR: join(project, ".assay") },
      dir,
    );
    assert.equal(JSON.parse(viaDataDir.stdout).items[0].name, "smoke");
  });

  it("words refused tokens, missing things, validation errors and unreachable servers, exit 2", async () => {
    const url = await serve((req, res) => {
      if (req.url.includes("/executions/01HZX0000000000000000000ZZ"))
        return json(res, 404, {
          error: { code: "not_found", message: "execution 01HZX0000000000000000000ZZ not found" },
        });
      if (req.method === "POST") {
        return json(res, 400, {
          error: {
            code: "invalid_argument",
            message: "invalid config",
            issues: [{ path: "config.workers", message: "must be an integer" }],
          },
        });
      }
      json(res, 401, { error: { code: "unauthenticated", message: "token revoked" } });
    });
    const refused = await run(["execution", "list", ...flags(url)]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /the token was refused \(HTTP 401: token revoked\)/);
    const missing = await run(["execution", "get", "01hzx0000000000000000000zz", ...flags(url)]);
    assert.match(missing.stderr, /execution 01HZX0000000000000000000ZZ was not found/);
    const malformed = await run(["execution", "get", "MISSING", ...flags(url)]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /"MISSING" is not an execution id: give the full id/);
    const invalid = await run(["run", "smoke", "--config", "workers=x", ...flags(url)]);
    assert.equal(invalid.code, 2);
    assert.match(
      invalid.stderr,
      /invalid config \(HTTP 400, invalid_argument\)\n {2}config\.workers: must be an integer/,
    );
    assert.deepEqual(JSON.parse(seen.at(-1)?.body ?? "{}"), { config: { workers: "x" }, tags: {} });
    const badPair = await run(["run", "smoke", "--tag", "novalue", ...flags(url)]);
    assert.match(badPair.stderr, /--tag expects key=value/);
    const closed = await run(["execution", "list", ...flags("http://127.0.0.1:9")]);
    assert.equal(closed.code, 2);
    assert.match(closed.stderr, /cannot reach http:\/\/127\.0\.0\.1:9: connection refused/);
    assert.doesNotMatch(closed.stderr, /at .*\.ts:\d+/, "no stack trace");
    const unconfigured = await run(["workflow", "list"]);
    assert.match(unconfigured.stderr, /missing --url \(or ASSAY_URL\)/);
  });

  it("workflow apply validates locally with positions, then PUTs the text", async () => {
    const url = await serve((_req, res) =>
      json(res, 201, {
        workflow: { name: "smoke" },
        warnings: ["image not used"],
        dryRun: false,
        check: {
          steps: [{ ref: "r1", name: "echo hi", depth: 0, kind: "step" }],
          runtimes: [
            {
              runtime: "process",
              agents: 1,
              refusals: [{ path: "spec.steps[0].x", feature: "execute", message: "not here" }],
              warnings: [],
            },
          ],
        },
      }),
    );
    const bad = join(dir, "bad.yaml");
    await writeFile(
      bad,
      "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: smoke\nspec:\n  steps:\n  - shell: 3\n",
    );
    const refused = await run(["workflow", "apply", "-f", bad, ...flags(url)]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, new RegExp(`${bad}:7:\\d+ spec\\.steps\\[0\\]\\.shell: `));
    assert.equal(seen.length, 0, "nothing was sent");
    const good = join(dir, "good.yaml");
    const text =
      "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: smoke\nspec:\n  steps:\n  - shell: echo hi\n";
    await writeFile(good, text);
    const applied = await run(["workflow", "apply", "-f", good, ...flags(url)]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(seen[0]?.method, "PUT");
    assert.equal(seen[0]?.url, "/v1/orgs/acme/envs/staging/workflows/smoke");
    assert.equal(seen[0]?.headers["content-type"], "application/yaml");
    assert.equal(seen[0]?.body, text);
    assert.match(applied.stderr, /warning: image not used/);
    assert.match(applied.stderr, /refused: process runtime: spec\.steps\[0\]\.x: not here/);
    assert.match(applied.stdout, /workflow smoke applied/);
  });

  it("run --watch follows the log across a dropped connection without gap or repeat, exit 1 on failure", async () => {
    const log = "\u001b[32mline one\u001b[0m\nline two\nline three\n";
    const cut = 18;
    const event = (from: number, to: number) =>
      `event: log\nid: ${to}\ndata: ${JSON.stringify({ offset: from, step: "r1", data: Buffer.from(log.slice(from, to)).toString("base64") })}\n\n`;
    let streams = 0;
    const url = await serve((req, res) => {
      if (req.method === "POST") return json(res, 201, execution());
      if (req.url.endsWith("/logs?follow=1")) {
        streams++;
        res.writeHead(200, { "content-type": "text/event-stream" });
        if (streams === 1) {
          res.write(`event: status\ndata: {"status":"running"}\n\n${event(0, cut)}`);
          setTimeout(() => res.destroy(), 30); // the connection drops mid-run
          return;
        }
        const from = Number(req.headers["last-event-id"]);
        // Resend a little before the resume point: the client must drop the overlap.
        res.end(
          `${event(from - 4, log.length)}event: end\ndata: {"status":"failed","logBytes":${log.length}}\n\n`,
        );
        return;
      }
      json(res, 200, execution({ status: "failed", message: 'step "r1" failed: exit code 1' }));
    });
    const clock = createTestClock();
    const running = run(
      ["run", "smoke", "--watch", "--config", "target=https://x", ...flags(url)],
      {},
      dir,
      clock,
    );
    // The queued-reason poll, then the wait before the reconnect once the stream dropped.
    await clock.waiting(2);
    clock.advance(499);
    assert.equal(streams, 1, "reconnected before the retry delay");
    clock.advance(1);
    const out = await running;
    assert.equal(out.stdout, `── r1\n${log}`, "one header for the step, then its bytes");
    assert.equal(out.code, 1);
    assert.equal(streams, 2);
    assert.equal(
      seen.find((s) => s.headers["last-event-id"] !== undefined)?.headers["last-event-id"],
      String(cut),
    );
    assert.match(out.stderr, /execution 01HZX0000000000000000000AB failed: step "r1" failed/);
  });

  it("execution get prints the step tree; logs and abort", async () => {
    const steps = [
      {
        ref: "r1",
        name: "build",
        status: "passed",
        startedAt: "2025-01-01T10:00:00.000Z",
        finishedAt: "2025-01-01T10:00:02.500Z",
        exitCode: 0,
        warnings: [],
      },
      {
        ref: "r1.1",
        name: "unit",
        parentRef: "r1",
        status: "failed",
        exitCode: 3,
        message: "exit code 3",
        warnings: ["image x not used"],
      },
    ];
    const url = await serve((req, res) => {
      if (req.url.endsWith("/logs")) {
        res.writeHead(200, { "content-type": "text/plain" });
        return res.end("raw \u001b[1mbytes\u001b[0m\n");
      }
      if (req.url.endsWith("/abort"))
        return json(res, 202, execution({ status: "running", abortRequestedAt: "now" }));
      if (req.url.includes("/executions?")) return json(res, 200, { items: [] });
      json(res, 200, execution({ status: "failed", steps }));
    });
    const got = await run(["execution", "get", "01HZX0000000000000000000AB", ...flags(url)]);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /Status: +failed/);
    assert.match(
      got.stdout,
      /✔ r1 {2}build \(passed, 2\.5s\)\n {4}✖ r1\.1 {2}unit \(failed, exit 3\) — exit code 3\n {6}warning: image x not used/,
    );
    const logs = await run(["logs", "01HZX0000000000000000000AB", ...flags(url)]);
    assert.equal(logs.stdout, "raw \u001b[1mbytes\u001b[0m\n");
    const aborted = await run(["abort", "01HZX0000000000000000000AB", ...flags(url)]);
    assert.match(aborted.stdout, /abort requested for 01HZX0000000000000000000AB \(status running\)/);
    assert.equal(seen.at(-1)?.method, "POST");
  });

  it("rejects bad usage with exit 2", async () => {
    assert.equal((await run(["nope"])).code, 2);
    const badFormat = await run(["execution", "list", "-o", "xml", "--url", "http://x"]);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /-o must be one of text, json, yaml \(got "xml"\)/);
    const agent = await run(["agent", "--url", "https://x:1"]);
    assert.equal(agent.code, 2);
    assert.match(agent.stderr, /--token \(or ASSAY_AGENT_TOKEN\) is required/);
  });

  it("defines every command, by name or alias, when only that command's module is loaded", async () => {
    const io = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: {},
      cwd: dir,
      clock: systemClock,
      color: false,
    };
    const all = await createProgram(io);
    const names = all.commands.flatMap((c) => [c.name(), ...c.aliases()]).filter((n) => n !== "help");
    assert.ok(names.includes("agent") && names.includes("executions"));
    for (const name of names) {
      const alone = await createProgram(io, [name]);
      const found = alone.commands.find((c) => c.name() === name || c.aliases().includes(name));
      assert.ok(found, `"${name}" missing when loaded on its own`);
    }
  });
});
