/**
 * Logs and artifacts end to end on the stand-ins, with the real agent (the `assay agent`
 * process): 100k ANSI-coloured log lines arrive byte-identical; SSE follow resumes after a
 * dropped connection with no gap and no repeat; what a step writes to stderr stays marked from
 * the agent through SSE, the stored JSON read (before and after compaction) and the CLI; artifacts (nested folders, binary files, a 200 MB
 * file) round-trip with matching SHA-256 through presigned multipart uploads, the unpack worker
 * and the download redirect; JUnit among them shows in the report; deleting the execution
 * leaves no object behind.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createSseParser, LogSegmentsBody, type OutputStream, parseLogStreamEvent } from "@assay/shared";
import { type AgentStack, startAgentStack } from "../support/agent-stack.ts";

const LINES = 100_000;

const expectedLog = () => {
  let out = "";
  for (let i = 0; i < LINES; i++) out += `\u001b[32mline ${String(i).padStart(6, "0")}\u001b[0m ok\n`;
  return Buffer.from(out);
};

describe("logs and artifacts, end to end", () => {
  let stack: AgentStack;
  let plane: AgentStack["plane"];
  let dir: string;
  // Shorthands over the stack, as the tests below use them.
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000) =>
    stack.waitFor(what, probe, timeoutMs);
  const cli = (args: string[], env?: NodeJS.ProcessEnv) => stack.cli(args, env);
  const apply = (name: string, yaml: string) => stack.put(name, yaml);
  const run = (name: string) => stack.start(name);
  const finished = (id: string) => stack.finished(id);

  before(async () => {
    stack = await startAgentStack({ prefix: "assay-e2e-la" });
    plane = stack.plane;
    dir = stack.dir;
  });

  after(async () => {
    await stack?.stop();
  });

  test("100k ANSI lines arrive byte-identical; SSE follow resumes after a drop with no gap or repeat; tail and ranges", async () => {
    await apply(
      "chatty",
      `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: chatty
spec:
  steps:
    - name: talk
      shell: |
        i=0
        while [ $i -lt ${LINES} ]; do printf '\\033[32mline %06d\\033[0m ok\\n' $i; i=$((i+1)); done
`,
    );
    const started = Date.now();
    const id = await run("chatty");
    // Follow live, drop the connection after a few events, resume with Last-Event-ID.
    const received: Buffer[] = [];
    let lastId: string | undefined;
    let ended = false;
    for (let round = 0; !ended && round < 50; round++) {
      const controller = new AbortController();
      const res = await plane.api(`${plane.envPath}/executions/${id}/logs?follow=1`, {
        headers: lastId === undefined ? {} : { "last-event-id": lastId },
        signal: controller.signal,
      });
      const reader = res.body?.getReader();
      assert.ok(reader);
      let buffer = "";
      let events = 0;
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut = buffer.indexOf("\n\n");
          while (cut >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            cut = buffer.indexOf("\n\n");
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1] ?? "";
            if (event === "log") {
              received.push(Buffer.from((JSON.parse(data) as { data: string }).data, "base64"));
              lastId = /^id: (.*)$/m.exec(block)?.[1];
              events++;
            } else if (event === "end") ended = true;
          }
          // Drop the first connections early (mid-stream), the way a flaky network would.
          if (ended || (round < 3 && events >= 5)) break;
        }
      } finally {
        controller.abort();
      }
    }
    assert.ok(ended, "the follow reached the end event");
    const execution = await finished(id);
    assert.equal(execution.status, "passed");
    const seconds = (Date.now() - started) / 1000;
    const expected = expectedLog();
    assert.ok(Buffer.concat(received).equals(expected), "SSE bytes across reconnects equal the log exactly");
    const stored = Buffer.from(
      await (await plane.api(`${plane.envPath}/executions/${id}/logs`)).arrayBuffer(),
    );
    assert.equal(stored.length, expected.length);
    assert.ok(stored.equals(expected), "the stored log is byte-identical");
    console.log(
      `# 100k lines (${(expected.length / 1e6).toFixed(1)} MB) shipped and followed in ${seconds.toFixed(1)} s`,
    );

    const tail = await (await plane.api(`${plane.envPath}/executions/${id}/logs?tail=2`)).text();
    const lineBytes = expected.length / LINES;
    assert.equal(tail, expected.subarray(expected.length - 2 * lineBytes).toString());
    const cliTail = await cli(["logs", id, "--tail", "2"]);
    assert.equal(cliTail.code, 0, cliTail.stderr);
    assert.equal(cliTail.stdout, tail, "assay logs --tail prints the same lines");
    const ranged = await plane.api(`${plane.envPath}/executions/${id}/logs`, {
      headers: { range: "bytes=25-49" },
    });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get("content-range"), `bytes 25-49/${expected.length}`);
    assert.equal(await ranged.text(), expected.subarray(25, 50).toString());
    const download = await plane.api(`${plane.envPath}/executions/${id}/logs?download=1&offset=0&length=10`);
    assert.match(download.headers.get("content-disposition") ?? "", /attachment; filename="chatty-/);
    assert.equal((await download.arrayBuffer()).byteLength, 10);
  });

  test("stderr lines are marked end to end: SSE events, the stored JSON read before and after compaction, the CLI", async () => {
    await apply(
      "mixed",
      `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: mixed
spec:
  steps:
    - name: both
      shell: |
        echo out-1
        echo err-1 >&2
        echo out-2
        echo err-2 >&2
`,
    );
    const id = await run("mixed");
    const byStream = (parts: Array<{ stream: OutputStream; data: string }>, stream: OutputStream) =>
      Buffer.concat(
        parts.filter((p) => p.stream === stream).map((p) => Buffer.from(p.data, "base64")),
      ).toString();
    // Live: the SSE log events say their stream.
    const res = await plane.api(`${plane.envPath}/executions/${id}/logs?follow=1`);
    const parser = createSseParser();
    const live: Array<{ offset: number; stream: OutputStream; data: string }> = [];
    for await (const part of res.body ?? []) {
      const events = parser.push(part).map(parseLogStreamEvent);
      for (const event of events) if (event?.kind === "log") live.push(event);
      if (events.some((e) => e?.kind === "end")) break;
    }
    assert.equal(byStream(live, "stdout"), "out-1\nout-2\n");
    assert.equal(byStream(live, "stderr"), "err-1\nerr-2\n");
    assert.equal((await finished(id)).status, "passed");

    // Stored: the JSON read gives the same segments, and so does the compacted log.
    const stored = async () => {
      const body = LogSegmentsBody.parse(
        await (await plane.api(`${plane.envPath}/executions/${id}/logs?format=json`)).json(),
      );
      return body.segments.map((s) => [s.offset, s.stream, Buffer.from(s.data, "base64").toString()]);
    };
    const chunked = await stored();
    assert.equal(
      chunked.map((s) => s[2]).join(""),
      await (await plane.api(`${plane.envPath}/executions/${id}/logs`)).text(),
    );
    assert.deepEqual(
      chunked
        .filter((s) => s[1] === "stderr")
        .map((s) => s[2])
        .join(""),
      "err-1\nerr-2\n",
    );
    await plane.core.logs.compact({ orgId: plane.orgId, envId: plane.envId, id });
    assert.deepEqual(await stored(), chunked, "compaction keeps every segment's stream and offset");

    // The CLI: -o json lists each segment with its stream; a terminal shows stderr in red.
    const json = await cli(["logs", id, "-o", "json"]);
    assert.equal(json.code, 0, json.stderr);
    const printed = JSON.parse(json.stdout) as { segments: Array<{ stream: OutputStream; text: string }> };
    assert.equal(
      printed.segments
        .filter((s) => s.stream === "stderr")
        .map((s) => s.text)
        .join(""),
      "err-1\nerr-2\n",
    );
    const { NO_COLOR: _, ...colorEnv } = stack.cliEnv();
    const painted = await cli(["logs", id], { ...colorEnv, FORCE_COLOR: "1" });
    assert.equal(painted.code, 0, painted.stderr);
    assert.ok(painted.stdout.includes("\u001b[31merr-1\u001b[39m\n"), JSON.stringify(painted.stdout));
    assert.ok(painted.stdout.includes("\u001b[31merr-2\u001b[39m\n"));
    assert.ok(painted.stdout.includes("out-1\n") && !painted.stdout.includes("\u001b[31mout"));
    const piped = await cli(["logs", id]);
    assert.ok(!piped.stdout.includes("\u001b"), "a pipe gets the log as stored");
  });

  test("artifacts: nested folders, binary files and a 200 MB file round-trip with matching sha256; JUnit in the report; delete leaves nothing", async () => {
    await apply(
      "artifacts",
      `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: artifacts
spec:
  steps:
    - name: produce
      shell: |
        mkdir -p /data/out/a/b/c /data/out/reports
        printf '\\000\\001\\377binary' > /data/out/a/b/c/small.bin
        head -c 200000000 /dev/urandom > /data/out/big.bin
        echo hello > /data/out/a/hello.txt
        cat > /data/out/reports/junit.xml <<'EOF'
        <testsuites><testsuite name="e2e"><testcase name="works" classname="e2e" time="0.5"/><testcase name="breaks" classname="e2e" time="1"><failure message="expected 1, got 2">at e2e.test:3</failure></testcase></testsuite></testsuites>
        EOF
        cd /data/out && sha256sum big.bin a/b/c/small.bin a/hello.txt
        exit 1
      artifacts:
        workingDir: /data/out
        paths: ["**/*"]
`,
    );
    const started = Date.now();
    const id = await run("artifacts");
    const execution = await finished(id);
    assert.equal(execution.status, "failed", "the step failed, and its artifacts were still collected");
    const uploadedAt = Date.now();
    const log = await (await plane.api(`${plane.envPath}/executions/${id}/logs`)).text();
    const sums = new Map([...log.matchAll(/^([0-9a-f]{64}) {2}(\S+)$/gm)].map((m) => [m[2], m[1]]));
    assert.equal(sums.size, 3, log);
    assert.match(log, /\[assay\] artifacts: uploaded/);

    const listing = await waitFor("the bundle to be unpacked", async () => {
      const body = (await (await plane.api(`${plane.envPath}/executions/${id}/artifacts`)).json()) as {
        files: Array<{ path: string; size: number; sha256: string }>;
        bundles: Array<{ status: string; reason?: string }>;
        tree: Array<{ name: string }>;
      };
      return body.bundles.length > 0 ? body : undefined;
    });
    const unpackedAt = Date.now();
    assert.equal(listing.bundles[0]?.status, "unpacked", listing.bundles[0]?.reason);
    assert.deepEqual(
      listing.files.map((f) => f.path),
      ["a/b/c/small.bin", "a/hello.txt", "big.bin", "reports/junit.xml"],
    );
    for (const [path, sum] of sums)
      assert.equal(listing.files.find((f) => f.path === path)?.sha256, sum, path);
    assert.deepEqual(
      listing.tree.map((n) => n.name),
      ["a", "reports", "big.bin"],
    );

    // One file: a redirect to a presigned URL; the bytes hash to what the agent computed.
    const redirect = await plane.api(`${plane.envPath}/executions/${id}/artifacts/big.bin`, {
      redirect: "manual",
    });
    assert.equal(redirect.status, 302);
    const big = await fetch(redirect.headers.get("location") ?? "");
    const hash = createHash("sha256");
    for await (const chunk of big.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
    assert.equal(hash.digest("hex"), sums.get("big.bin"));
    const downloadedAt = Date.now();

    const report = (await (await plane.api(`${plane.envPath}/executions/${id}/report`)).json()) as {
      counts: { tests: number; failed: number };
      suites: Array<{ cases: Array<{ name: string; message?: string }> }>;
    };
    assert.equal(report.counts.tests, 2);
    assert.equal(report.counts.failed, 1);
    assert.equal(report.suites[0]?.cases[1]?.message, "expected 1, got 2");

    // All as one archive (only the small files: skip the 200 MB one to keep the test quick).
    const archive = await plane.api(`${plane.envPath}/executions/${id}/artifacts.tar.gz`);
    assert.equal(archive.headers.get("content-type"), "application/gzip");
    const reader = archive.body?.getReader();
    let firstBytes = Buffer.alloc(0);
    while (reader && firstBytes.length < 4096) {
      const { value, done } = await reader.read();
      if (done || !value) break;
      firstBytes = Buffer.concat([firstBytes, value]);
    }
    await reader?.cancel();
    assert.equal(firstBytes[0], 0x1f, "gzip magic");
    console.log(
      `# 200 MB artifacts: run+pack+upload ${((uploadedAt - started) / 1000).toFixed(1)} s, unpack ${((unpackedAt - uploadedAt) / 1000).toFixed(1)} s, download+hash ${((downloadedAt - unpackedAt) / 1000).toFixed(1)} s`,
    );

    const listed = await cli(["artifacts", id]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /big\.bin\s+200\.0 MB/);
    const into = join(dir, "downloaded");
    const downloaded = await cli(["artifacts", "download", id, "--dir", into, "--mask", "a/**"]);
    assert.equal(downloaded.code, 0, downloaded.stderr);
    assert.deepEqual(downloaded.stdout.trim().split("\n").sort(), [
      "a/b/c/small.bin (9 B)",
      "a/hello.txt (6 B)",
    ]);
    assert.equal(
      createHash("sha256")
        .update(readFileSync(join(into, "a/b/c/small.bin")))
        .digest("hex"),
      sums.get("a/b/c/small.bin"),
    );

    const del = await plane.api(`${plane.envPath}/executions/${id}`, { method: "DELETE" });
    assert.ok(del.status < 300, await del.text());
    const blobs = plane.core.ports.artifactBlobs;
    await waitFor("the cleanup to remove every object", async () => {
      const left = [
        ...(await blobs.list(`artifacts/${plane.orgId}/${plane.envId}/${id}/`)),
        ...(await plane.core.ports.logBlobs.list(`logs/${plane.orgId}/${plane.envId}/${id}/`)),
      ];
      return left.length === 0 ? true : undefined;
    });
  });
});
