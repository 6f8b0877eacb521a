/**
 * The BlobStore contract: every implementation registers these cases with its own factory.
 * Keys are made unique per case so cases can share one bucket.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, test } from "node:test";
import type { BlobStore } from "../ports.ts";
import { appError } from "./fixtures.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined): string | undefined =>
  data === undefined ? undefined : new TextDecoder().decode(data);

/**
 * Registers the BlobStore cases under `name`; `make` is called once, before the cases. Give the
 * store a small list/delete page size if it has one, so paging is exercised with few objects.
 */
export const runBlobStoreContract = (name: string, make: () => BlobStore | Promise<BlobStore>): void => {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    let root: string;
    before(async () => {
      store = await make();
    });
    const fresh = () => {
      root = `t/${randomBytes(4).toString("hex")}`;
      return root;
    };

    test("put then get round-trips bytes exactly; a missing key is undefined", async () => {
      const base = fresh();
      const binary = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
      await store.put(`${base}/bin`, binary, { contentType: "application/octet-stream" });
      assert.deepEqual(await store.get(`${base}/bin`), binary);
      await store.put(`${base}/empty`, new Uint8Array(0));
      assert.deepEqual(await store.get(`${base}/empty`), new Uint8Array(0));
      assert.equal(await store.get(`${base}/missing`), undefined);
      await store.put(`${base}/bin`, bytes("replaced"));
      assert.equal(text(await store.get(`${base}/bin`)), "replaced");
    });

    test("byte ranges are start-inclusive, end-exclusive; past the end is empty", async () => {
      const base = fresh();
      await store.put(`${base}/log`, bytes("0123456789"));
      assert.equal(text(await store.get(`${base}/log`, { start: 2, end: 5 })), "234");
      assert.equal(text(await store.get(`${base}/log`, { start: 7 })), "789");
      assert.equal(text(await store.get(`${base}/log`, { start: 8, end: 100 })), "89");
      assert.equal(text(await store.get(`${base}/log`, { start: 10 })), "");
      assert.equal(text(await store.get(`${base}/log`, { start: 4, end: 4 })), "");
      assert.equal(await store.get(`${base}/nothing`, { start: 0, end: 4 }), undefined);
      await assert.rejects(store.get(`${base}/log`, { start: 5, end: 2 }), appError("invalid_argument"));
    });

    test("list returns every key under the prefix, in order, with sizes, across pages", async () => {
      const base = fresh();
      const names = ["b", "a/2", "a/10", "c.txt", "a/1"];
      for (const n of names) await store.put(`${base}/x/${n}`, bytes(n));
      await store.put(`${base}/xy/other`, bytes("other"));
      const listed = await store.list(`${base}/x/`);
      assert.deepEqual(
        listed,
        [...names].sort().map((n) => ({ key: `${base}/x/${n}`, size: bytes(n).byteLength })),
      );
      assert.deepEqual(await store.list(`${base}/nothing/`), []);
    });

    test("delete removes the keys, tolerates missing ones, and spans pages", async () => {
      const base = fresh();
      const keys = ["1", "2", "3", "4", "5"].map((n) => `${base}/${n}`);
      for (const key of keys) await store.put(key, bytes(key));
      await store.delete([...keys.slice(0, 4), `${base}/never-existed`]);
      assert.deepEqual(
        (await store.list(`${base}/`)).map((o) => o.key),
        [keys[4]],
      );
      await store.delete([]);
      assert.equal(await store.get(keys[0] ?? ""), undefined);
    });

    test("a presigned PUT uploads with plain fetch and a presigned GET downloads it", async () => {
      const base = fresh();
      const key = `${base}/bundle.tar.gz`;
      const payload = randomBytes(50_000);
      const putUrl = await store.presignPut(key, 300);
      const put = await fetch(putUrl, { method: "PUT", body: payload });
      assert.equal(put.status, 200, await put.text());
      assert.deepEqual(await store.get(key), new Uint8Array(payload));

      const get = await fetch(await store.presignGet(key, 60));
      assert.equal(get.status, 200);
      assert.deepEqual(new Uint8Array(await get.arrayBuffer()), new Uint8Array(payload));
    });

    test("head and getStream: sizes and streamed bytes; missing keys are undefined", async () => {
      const base = fresh();
      const payload = randomBytes(300_000);
      await store.put(`${base}/big`, payload);
      assert.equal(await store.head(`${base}/big`), payload.byteLength);
      assert.equal(await store.head(`${base}/missing`), undefined);
      const stream = await store.getStream(`${base}/big`);
      assert.ok(stream);
      const parts: Uint8Array[] = [];
      for await (const part of stream) parts.push(part);
      assert.deepEqual(new Uint8Array(Buffer.concat(parts)), new Uint8Array(payload));
      assert.equal(await store.getStream(`${base}/missing`), undefined);
    });

    test("multipart: presigned part PUTs with fetch, completed in order, resumable by upload id", async () => {
      const base = fresh();
      const key = `${base}/multi.tar.gz`;
      const partSize = 5 * 1024 * 1024;
      const payload = randomBytes(partSize * 2 + 1234);
      const uploadId = await store.createMultipart(key, { contentType: "application/gzip" });
      const parts: Array<{ partNumber: number; etag: string }> = [];
      // Upload part 2 first, then "reconnect" and continue with the same upload id.
      for (const partNumber of [2, 3, 1]) {
        const url = await store.presignUploadPart(key, uploadId, partNumber, 300);
        const body = payload.subarray((partNumber - 1) * partSize, partNumber * partSize);
        const res = await fetch(url, { method: "PUT", body });
        assert.equal(res.status, 200, await res.text());
        const etag = res.headers.get("etag");
        assert.ok(etag, "the part PUT returns an ETag");
        parts.push({ partNumber, etag });
      }
      parts.sort((a, b) => a.partNumber - b.partNumber);
      await store.completeMultipart(key, uploadId, parts);
      assert.deepEqual(await store.get(key), new Uint8Array(payload));
      await assert.rejects(store.completeMultipart(key, uploadId, parts), appError("not_found"));
    });

    test("multipart: server-side parts; abort removes the upload and tolerates a missing one", async () => {
      const base = fresh();
      const key = `${base}/server`;
      const uploadId = await store.createMultipart(key);
      const first = randomBytes(5 * 1024 * 1024);
      const etag1 = await store.uploadPart(key, uploadId, 1, first);
      const etag2 = await store.uploadPart(key, uploadId, 2, bytes("tail"));
      await store.completeMultipart(key, uploadId, [
        { partNumber: 1, etag: etag1 },
        { partNumber: 2, etag: etag2 },
      ]);
      assert.equal(await store.head(key), first.byteLength + 4);
      const aborted = await store.createMultipart(`${base}/aborted`);
      await store.uploadPart(`${base}/aborted`, aborted, 1, bytes("x"));
      await store.abortMultipart(`${base}/aborted`, aborted);
      await store.abortMultipart(`${base}/aborted`, aborted);
      assert.equal(await store.head(`${base}/aborted`), undefined);
      await assert.rejects(store.presignUploadPart(key, uploadId, 0, 60), appError("invalid_argument"));
    });

    test("bad keys and expiries are invalid_argument", async () => {
      await assert.rejects(store.put("/leading", bytes("x")), appError("invalid_argument"));
      await assert.rejects(store.get(""), appError("invalid_argument"));
      await assert.rejects(store.presignPut("ok", 0), appError("invalid_argument"));
      await assert.rejects(store.presignGet("ok", 8 * 24 * 3600), appError("invalid_argument"));
    });
  });
};
