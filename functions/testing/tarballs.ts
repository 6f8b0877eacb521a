/**
 * Hand-built tar.gz bundles for tests, including hostile ones no well-behaved packer would
 * write (absolute paths, `..`, links out, devices). Built from raw 512-byte headers.
 */
import { gzipSync } from "node:zlib";
import { Header } from "tar";

export interface TarEntrySpec {
  path: string;
  type?: "File" | "Directory" | "SymbolicLink" | "Link" | "CharacterDevice" | "FIFO" | "SparseFile";
  data?: Uint8Array | string;
  linkpath?: string;
  /** Declared size, when it should differ from the data (never for well-formed archives). */
  size?: number;
  /** SparseFile: the size of the file with its holes (old GNU header field `realsize`). */
  realSize?: number;
}

/** Writes old GNU's `realsize` (offset 483, 12 octal digits) and refreshes the checksum. */
function writeRealSize(block: Buffer, realSize: number): void {
  block.write(`${realSize.toString(8).padStart(11, "0")}\0`, 483, 12, "ascii");
  block.fill(" ", 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
}

/** A tar archive (uncompressed) of the entries. */
export function tarOf(entries: TarEntrySpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === "string" ? Buffer.from(entry.data) : Buffer.from(entry.data ?? []);
    const header = new Header({
      path: entry.path,
      type: entry.type ?? "File",
      size:
        entry.size ??
        (entry.type === undefined || entry.type === "File" || entry.type === "SparseFile" ? data.length : 0),
      mode: entry.type === "Directory" ? 0o755 : 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
      linkpath: entry.linkpath ?? "",
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    if (entry.realSize !== undefined) writeRealSize(block, entry.realSize);
    blocks.push(block, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A tar.gz bundle of the entries. */
export const tgzOf = (entries: TarEntrySpec[]): Buffer => gzipSync(tarOf(entries));
