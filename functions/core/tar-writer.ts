/**
 * Writes a tar stream from files that are themselves streams (objects in storage), so "download
 * all artifacts" never holds more than one chunk in memory. Long paths get a PAX header.
 */
import { Header, Pax } from "tar";

export interface TarSource {
  path: string;
  size: number;
  /** Opens the file's bytes; must yield exactly `size` bytes. */
  open(): Promise<AsyncIterable<Uint8Array> | undefined>;
}

const BLOCK = 512;

/** The tar bytes of `files`, in order; a file that vanished is written empty-padded to its size. */
export async function* tarStream(
  files: Iterable<TarSource> | AsyncIterable<TarSource>,
): AsyncGenerator<Buffer> {
  const mtime = new Date();
  for await (const file of files) {
    const fields = {
      path: file.path,
      size: file.size,
      mode: 0o644,
      mtime,
      type: "File" as const,
      uid: 0,
      gid: 0,
    };
    const header = new Header(fields);
    const block = Buffer.alloc(BLOCK);
    if (header.encode(block, 0)) {
      // The path does not fit the ustar fields: a PAX extended header carries it.
      yield new Pax({ ...fields, path: file.path }).encode();
      const short = new Header({ ...fields, path: file.path.slice(-99) });
      block.fill(0);
      short.encode(block, 0);
    }
    yield block;
    let written = 0;
    const body = await file.open();
    if (body) {
      for await (const chunk of body) {
        const piece = Buffer.from(
          chunk.buffer,
          chunk.byteOffset,
          Math.min(chunk.byteLength, file.size - written),
        );
        written += piece.length;
        if (piece.length > 0) yield piece;
        if (written >= file.size) break;
      }
    }
    if (written < file.size) yield Buffer.alloc(file.size - written);
    const pad = (BLOCK - (file.size % BLOCK)) % BLOCK;
    if (pad > 0) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(BLOCK * 2);
}
