import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { createLocalKeyWrapper } from "./local-key-wrapper.ts";

test("a wrapped data key opens for its own organization and key file only", async () => {
  const wrapper = createLocalKeyWrapper(randomBytes(32));
  const { plain, wrapped } = await wrapper.generate("acme");
  assert.equal(plain.length, 32);
  assert.ok(!wrapped.includes(Buffer.from(plain).toString("base64url")));
  assert.deepEqual(Buffer.from(await wrapper.unwrap("acme", wrapped)), Buffer.from(plain));
  await assert.rejects(wrapper.unwrap("other-org", wrapped), /cannot be unwrapped/);
  await assert.rejects(createLocalKeyWrapper(randomBytes(32)).unwrap("acme", wrapped), /wrong key file/);
  await assert.rejects(wrapper.unwrap("acme", "kms.abc"), /not wrapped locally/);
});
