/**
 * A BlobStore whose real implementation is loaded on its first use. The S3 client (with its
 * XML parser and checksum code) is ~150 KB of the API Lambda's start-up code, yet most API
 * requests (runs, listings, tokens) never touch object storage: those cold starts skip it.
 * A failed load is not remembered, so the next call tries again.
 */
import type { BlobStore } from "../../core/ports.ts";

export function lazyBlobStore(load: () => Promise<BlobStore>): BlobStore {
  let loaded: Promise<BlobStore> | undefined;
  const store = () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
  const forward = <K extends keyof BlobStore>(name: K): BlobStore[K] =>
    (async (...args: unknown[]) => {
      const target = (await store()) as unknown as Record<K, (...a: unknown[]) => Promise<unknown>>;
      return target[name](...args);
    }) as BlobStore[K];
  return {
    put: forward("put"),
    get: forward("get"),
    list: forward("list"),
    delete: forward("delete"),
    presignPut: forward("presignPut"),
    presignGet: forward("presignGet"),
    head: forward("head"),
    getStream: forward("getStream"),
    createMultipart: forward("createMultipart"),
    presignUploadPart: forward("presignUploadPart"),
    uploadPart: forward("uploadPart"),
    completeMultipart: forward("completeMultipart"),
    abortMultipart: forward("abortMultipart"),
  };
}
