/**
 * Uploads artifact bundles straight to object storage with URLs the control plane presigns over
 * the agent's stream. Bytes never travel over the stream.
 *
 * Per bundle: request URLs -> PUT the file (one URL) or its parts (multipart, 4 at a time, each
 * retried with full-jitter backoff) -> report completion -> wait for the ack. The multipart
 * upload id and the ETags of finished parts are kept, so after a reconnect (or when part URLs
 * expire) only the missing parts are asked for and sent again. Requests and completions whose
 * answer was lost with a stream are re-sent on the next Welcome.
 */
import { open } from "node:fs/promises";
import type { AgentMessage, ArtifactAck, ArtifactUploadGrant } from "@assay/shared/proto";
import { type Clock, type Random, sleep } from "@assay/shared/time";

export interface Bundle {
  executionId: string;
  bundleId: string;
  stepRef: string;
  file: string;
  sizeBytes: number;
  sha256: string;
}

export type UploadOutcome = { ok: true } | { ok: false; reason: string };

export interface UploaderOptions {
  /** Something new can be sent. */
  onOutput(): void;
  /** Parallel part uploads per bundle (default 4). */
  concurrency?: number;
  /** Attempts per PUT before asking for fresh URLs (default 5). */
  attempts?: number;
  /** Backoff base in milliseconds (default 250). */
  backoffMs?: number;
  /** Times the backoff between attempts. */
  clock: Clock;
  /** Draws the backoff's jitter. */
  random: Random;
  fetch?: typeof fetch;
}

type Phase = "await-grant" | "uploading" | "await-ack" | "done";

interface State {
  bundle: Bundle;
  phase: Phase;
  uploadId: string;
  etags: Map<number, string>;
  /** Times URLs were requested again (expired URLs, failed parts); bounded. */
  rerequests: number;
  restarts: number;
  finish(outcome: UploadOutcome): void;
}

const key = (executionId: string, bundleId: string) => `${executionId}/${bundleId}`;
const MAX_REREQUESTS = 5;

export function createUploader(options: UploaderOptions) {
  const concurrency = options.concurrency ?? 4;
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 250;
  const { clock, random } = options;
  const doFetch = options.fetch ?? fetch;
  const states = new Map<string, State>();
  const outbox: AgentMessage[] = [];

  const queue = (message: AgentMessage) => {
    outbox.push(message);
    options.onOutput();
  };

  const request = (state: State, partNumbers: number[] = []) => {
    state.phase = "await-grant";
    const { executionId, bundleId, stepRef, sizeBytes } = state.bundle;
    queue({
      kind: {
        $case: "artifactUpload",
        value: { executionId, bundleId, stepRef, sizeBytes, uploadId: state.uploadId, partNumbers },
      },
    });
  };

  const complete = (state: State) => {
    state.phase = "await-ack";
    const { executionId, bundleId, sizeBytes, sha256 } = state.bundle;
    const parts = [...state.etags]
      .sort((a, b) => a[0] - b[0])
      .map(([partNumber, etag]) => ({ partNumber, etag }));
    queue({
      kind: {
        $case: "artifactComplete",
        value: { executionId, bundleId, uploadId: state.uploadId, parts, sizeBytes, sha256 },
      },
    });
  };

  /** PUTs `body` to `url` with retries; the ETag, or an Error after the last attempt. */
  const put = async (url: string, read: () => Promise<Buffer>): Promise<string> => {
    let last: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        await sleep(clock, random() * Math.min(8000, backoffMs * 2 ** attempt));
      }
      try {
        const response = await doFetch(url, { method: "PUT", body: new Uint8Array(await read()) });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return response.headers.get("etag") ?? "";
        last = new Error(`storage answered ${response.status}`);
        // An expired or refused URL will not work on a retry: ask for new ones.
        if (response.status === 403) break;
      } catch (error) {
        last = error;
      }
    }
    throw last instanceof Error ? last : new Error(String(last));
  };

  const readRange = async (file: string, offset: number, length: number): Promise<Buffer> => {
    const handle = await open(file, "r");
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  };

  const onGrant = async (state: State, grant: ArtifactUploadGrant) => {
    const { bundle } = state;
    if (grant.error) return state.finish({ ok: false, reason: grant.error });
    state.phase = "uploading";
    try {
      if (grant.putUrl) {
        await put(grant.putUrl, () => readRange(bundle.file, 0, bundle.sizeBytes));
        state.uploadId = "";
        return complete(state);
      }
      state.uploadId = grant.uploadId;
      const partSize = grant.partSizeBytes;
      const todo = grant.parts.filter((p) => !state.etags.has(p.partNumber));
      const worker = async () => {
        for (let part = todo.shift(); part !== undefined; part = todo.shift()) {
          const offset = (part.partNumber - 1) * partSize;
          const length = Math.min(partSize, bundle.sizeBytes - offset);
          try {
            state.etags.set(
              part.partNumber,
              await put(part.url, () => readRange(bundle.file, offset, length)),
            );
          } catch {
            // Left missing: fresh URLs are asked for below.
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const count = Math.ceil(bundle.sizeBytes / partSize);
      const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !state.etags.has(n));
      if (missing.length === 0) return complete(state);
      if (++state.rerequests > MAX_REREQUESTS) {
        return state.finish({ ok: false, reason: `${missing.length} part(s) could not be uploaded` });
      }
      request(state, missing);
    } catch (error) {
      if (++state.rerequests > MAX_REREQUESTS) {
        return state.finish({ ok: false, reason: `upload failed: ${(error as Error).message}` });
      }
      request(state, []);
    }
  };

  return {
    /** Uploads a packed bundle; resolves when the control plane accepted it, or with the reason not. */
    upload(bundle: Bundle): Promise<UploadOutcome> {
      return new Promise((resolve) => {
        const state: State = {
          bundle,
          phase: "await-grant",
          uploadId: "",
          etags: new Map(),
          rerequests: 0,
          restarts: 0,
          finish: (outcome) => {
            state.phase = "done";
            states.delete(key(bundle.executionId, bundle.bundleId));
            resolve(outcome);
          },
        };
        states.set(key(bundle.executionId, bundle.bundleId), state);
        request(state);
      });
    },

    handleGrant(grant: ArtifactUploadGrant) {
      const state = states.get(key(grant.executionId, grant.bundleId));
      if (state?.phase !== "await-grant") return;
      void onGrant(state, grant);
    },

    handleAck(ack: ArtifactAck) {
      const state = states.get(key(ack.executionId, ack.bundleId));
      if (state?.phase !== "await-ack") return;
      if (ack.accepted) return state.finish({ ok: true });
      if (ack.retry && ++state.restarts <= 2) {
        // The storage lost (or never completed) the upload: start it over.
        state.uploadId = "";
        state.etags.clear();
        return request(state);
      }
      state.finish({ ok: false, reason: ack.reason || "refused by the control plane" });
    },

    /** A new stream: answers lost with the old one are asked for again. */
    handleWelcome() {
      outbox.length = 0;
      for (const state of states.values()) {
        // With an upload id the grant covers the same upload; finished parts are skipped.
        if (state.phase === "await-grant") request(state, []);
        else if (state.phase === "await-ack") complete(state);
      }
    },

    next: (): AgentMessage | undefined => outbox.shift(),
    pending: () => states.size,
  };
}

export type Uploader = ReturnType<typeof createUploader>;
