/**
 * Reading an artifact bundle (tar.gz) as a stream: the compressed bytes are hashed, unpacked
 * through a meter that stops a compression bomb, and parsed into tar entries handed out one at
 * a time, in order. Nothing here writes; what happens to an entry is the caller's.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { ReadEntry } from "tar";
import { type BundleBudget, BundleRejectedError } from "./bundle-entries.ts";

/** Ratio checks start after this many unpacked bytes (tiny bundles compress oddly well). */
const RATIO_GRACE_BYTES = 16 * 1024 * 1024;

/**
 * tar is loaded on the first bundle unpacked: the API Lambda builds the unpacker with the core
 * but never unpacks (the unpacking worker does), and tar is ~85 KB of start-up code.
 */
let tar: Promise<typeof import("tar")> | undefined;
const loadTar = (): Promise<typeof import("tar")> => {
  tar ??= import("tar");
  tar.catch(() => {
    tar = undefined; // a failed load is retried on the next bundle
  });
  return tar;
};

/**
 * The first failure of a read, from the entries' handling or from work they started (puts in
 * flight): once set, the read stops and it is what the read throws.
 */
export interface ReadFailure {
  error: Error | undefined;
}

export interface EntryHandlers {
  /** Handles one entry (consuming or resuming it); a throw is recorded as the read's failure. */
  entry(entry: ReadEntry): Promise<void>;
  /** Records an entry the tar reader passed over; a throw is recorded as the read's failure. */
  ignored(entry: ReadEntry): void;
  /** Waits for work the handlers started (it never rejects: failures go to `failure`). */
  settle(): Promise<void>;
}

/** Throws when the `unpacked` bytes so far exceed what the budget allows. */
function meterCheck(unpacked: number, budget: BundleBudget): void {
  // Tar framing adds 512 bytes a header plus padding: allow it on top of the byte budget.
  if (unpacked > budget.bytes + (budget.files + 1) * 1024 + 1024 * 1024) {
    throw new BundleRejectedError(`compression bomb: unpacks to more than the plan's ${budget.bytes} bytes`);
  }
  if (unpacked > RATIO_GRACE_BYTES && unpacked / Math.max(1, budget.compressedBytes) > budget.maxRatio) {
    throw new BundleRejectedError(`compression bomb: unpacks to more than ${budget.maxRatio} times its size`);
  }
}

/** A read error as the bundle's verdict: a corrupt archive stays corrupt, so it is refused. */
function verdictOf(error: Error & { code?: string }): Error {
  if (/^(Z_|TAR_)/.test(error.code ?? "") || error.message.includes("incorrect header check")) {
    return new BundleRejectedError(`not a valid tar.gz: ${error.message}`);
  }
  return error;
}

/** Reads the bundle `source` through `handlers`; returns the hex SHA-256 of its compressed bytes. */
export async function readBundle(
  source: AsyncIterable<Uint8Array>,
  budget: BundleBudget,
  handlers: EntryHandlers,
  failure: ReadFailure,
): Promise<string> {
  const { Parser } = await loadTar();
  const bundleHash = createHash("sha256");
  let unpacked = 0;
  let chain: Promise<void> = Promise.resolve();
  const parser = new Parser({ strict: true, noResume: true });
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on("end", resolve);
    parser.on("error", reject);
  });
  // Entries the reader does not hand out (it resumes them itself) get a recorded reason.
  parser.on("ignoredEntry", (entry: ReadEntry) => {
    chain = chain.then(() => {
      try {
        handlers.ignored(entry);
      } catch (error) {
        failure.error ??= error as Error;
      }
    });
  });
  parser.on("entry", (entry: ReadEntry) => {
    chain = chain.then(() =>
      handlers.entry(entry).catch((error: Error) => {
        failure.error ??= error;
        entry.resume();
      }),
    );
  });

  await pipeline(
    Readable.from(source),
    async function* hashCompressed(input: AsyncIterable<Buffer>) {
      for await (const chunk of input) {
        bundleHash.update(chunk);
        yield chunk;
      }
    },
    createGunzip(),
    async function* meter(input: AsyncIterable<Buffer>) {
      for await (const chunk of input) {
        unpacked += chunk.length;
        meterCheck(unpacked, budget);
        if (failure.error) throw failure.error;
        yield chunk;
      }
    },
    async (input: AsyncIterable<Buffer>) => {
      for await (const chunk of input) {
        if (failure.error) throw failure.error;
        if (!parser.write(chunk)) await new Promise<void>((resolve) => parser.once("drain", () => resolve()));
      }
      parser.end();
      await parsed;
      await chain;
    },
  ).catch(async (error: Error & { code?: string }) => {
    // Work still in flight settles before the caller removes what this read wrote.
    await handlers.settle();
    throw failure.error ?? verdictOf(error);
  });
  await chain;
  await handlers.settle();
  if (failure.error) throw failure.error;
  return bundleHash.digest("hex");
}
