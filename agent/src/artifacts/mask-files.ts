/**
 * Secret values masked in artifacts' text files before they are packed: the matched entries are
 * mirrored into a staging directory, where text files are streamed through the same masker as
 * step logs (constant memory whatever the file size; a value split across read chunks is still
 * found) and everything else is hard-linked (copied across file systems) byte for byte. A file
 * is text when its first 8 KiB hold no NUL byte (git's rule): images, archives, gzip-compressed
 * logs and other binaries are never changed. Modes and modification times are kept.
 */
import { createReadStream, createWriteStream } from "node:fs";
import {
  chmod,
  copyFile,
  link,
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  symlink,
  utimes,
} from "node:fs/promises";
import { dirname, join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createStreamMasker } from "../runner/masker.ts";

const SNIFF_BYTES = 8192;

/** True when the file's first 8 KiB hold no NUL byte. */
export async function isTextFile(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return !buffer.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}

/** Streams `from` to `to` with `secrets` masked; true when anything was replaced. */
export async function maskFile(from: string, to: string, secrets: readonly string[]): Promise<boolean> {
  const masker = createStreamMasker(secrets);
  let bytesIn = 0;
  let bytesOut = 0;
  let changed = false;
  const needles = secrets.filter((s) => s.length > 0).map((s) => Buffer.from(s));
  let tail = Buffer.alloc(0);
  const longest = Math.max(0, ...needles.map((n) => n.length));
  await pipeline(
    createReadStream(from),
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytesIn += chunk.length;
        // Whether a value occurs, across chunk borders too (a short window of the previous chunk).
        const window = Buffer.concat([tail, chunk]);
        if (!changed && needles.some((n) => window.includes(n))) changed = true;
        tail = window.subarray(Math.max(0, window.length - longest + 1));
        const out = masker.push(chunk);
        bytesOut += out.length;
        done(null, out);
      },
      flush(done) {
        const out = masker.end();
        bytesOut += out.length;
        done(null, out);
      },
    }),
    createWriteStream(to, { flags: "wx" }),
  );
  return changed || bytesIn !== bytesOut;
}

/**
 * Mirrors `entries` (relative to `base`) into `staging` with secrets masked in text files;
 * resolves with how many files had a value masked.
 */
export async function stageMasked(
  base: string,
  entries: readonly string[],
  secrets: readonly string[],
  staging: string,
): Promise<number> {
  let masked = 0;
  const mirror = async (relative: string): Promise<void> => {
    const source = join(base, relative);
    const target = join(staging, relative);
    const info = await lstat(source);
    await mkdir(dirname(target), { recursive: true });
    if (info.isDirectory()) {
      await mkdir(target, { recursive: true });
      for (const name of await readdir(source)) await mirror(join(relative, name));
      await chmod(target, info.mode & 0o7777);
      await utimes(target, info.atime, info.mtime);
    } else if (info.isSymbolicLink()) {
      await symlink(await readlink(source), target);
    } else if (info.isFile()) {
      if (secrets.length > 0 && info.size > 0 && (await isTextFile(source))) {
        if (await maskFile(source, target, secrets)) masked++;
        await chmod(target, info.mode & 0o7777);
        await utimes(target, info.atime, info.mtime);
      } else {
        await link(source, target).catch(() => copyFile(source, target));
      }
    }
    // Sockets, FIFOs and devices are not artifacts: left out, as tar would refuse them anyway.
  };
  for (const entry of entries) await mirror(entry);
  return masked;
}
