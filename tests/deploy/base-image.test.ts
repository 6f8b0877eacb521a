/**
 * The two images the product ships build on one Node 24 base, pinned by a full digest from a
 * registry without Docker Hub's pull limits (docs/deploy.md, "Base images"). No registry is
 * reachable here, so the digest's existence is not checked: its form and its sameness are.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const PINNED = /public\.ecr\.aws\/docker\/library\/node:24-slim@sha256:([0-9a-f]{64})\b/;
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

test("the ingress and agent images pin the same node:24-slim digest on ECR Public", () => {
  const ingress = PINNED.exec(read("functions/ingress/Dockerfile"));
  const agent = PINNED.exec(read("agent/Dockerfile"));
  assert.ok(
    ingress,
    "functions/ingress/Dockerfile pins public.ecr.aws/docker/library/node:24-slim@sha256:<64 hex>",
  );
  assert.ok(agent, "agent/Dockerfile pins public.ecr.aws/docker/library/node:24-slim@sha256:<64 hex>");
  assert.equal(agent[1], ingress[1], "one base digest for both images");
});
