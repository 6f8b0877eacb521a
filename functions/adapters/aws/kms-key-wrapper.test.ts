import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { AppError } from "@assay/shared";
import { createKmsKeyWrapper } from "./kms-key-wrapper.ts";

/** A loopback port with nothing listening on it: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

process.env.AWS_ACCESS_KEY_ID ??= "test";
process.env.AWS_SECRET_ACCESS_KEY ??= "test";

test("an unreachable KMS endpoint is reported as unavailable, naming KMS", async () => {
  const keys = createKmsKeyWrapper({
    keyId: "alias/assay-test",
    region: "eu-west-1",
    endpoint: `http://127.0.0.1:${await closedPort()}`,
  });
  await assert.rejects(keys.generate("org-1"), (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, "unavailable");
    assert.match(err.message, /credential key service \(KMS\) is unavailable/);
    return true;
  });
});

test("a data key that KMS did not wrap is refused before any call", async () => {
  const keys = createKmsKeyWrapper({
    keyId: "alias/assay-test",
    region: "eu-west-1",
    endpoint: "http://127.0.0.1:1",
  });
  await assert.rejects(keys.unwrap("org-1", "local.abc"), /was not wrapped by KMS/);
});
