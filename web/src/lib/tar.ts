/**
 * Reads one file out of a gzipped tar stream (the API's `artifacts.tar.gz`: ustar headers, a
 * PAX `x` header before a path too long for them), decompressed by the browser's
 * DecompressionStream. Stops reading as soon as the file is complete, so the rest of the
 * archive is never downloaded. Nothing is written anywhere: the bytes come back as a Blob.
 */
const BLOCK = 512;

const text = (bytes: Uint8Array, from: number, length: number): string => {
  const slice = bytes.subarray(from, from + length);
  const end = slice.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? slice.subarray(0, end) : slice);
};

const octal = (bytes: Uint8Array, from: number, length: number): number =>
  Number.parseInt(text(bytes, from, length).trim() || "0", 8);

/** `path=...` from a PAX extended header's records (`LEN key=value\n`). */
function paxPath(bytes: Uint8Array): string | undefined {
  const records = new TextDecoder().decode(bytes);
  for (const record of records.split("\n")) {
    const match = /^\d+ path=(.*)$/s.exec(record);
    if (match) return match[1];
  }
  return undefined;
}

/** Growable buffer of the decompressed stream, read block by block. */
class Reader {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private readonly source: ReadableStreamDefaultReader<Uint8Array>;
  constructor(source: ReadableStreamDefaultReader<Uint8Array>) {
    this.source = source;
  }

  /** Exactly `n` bytes, or undefined at the end of the stream. */
  async read(n: number): Promise<Uint8Array | undefined> {
    while (this.size < n) {
      const { value, done } = await this.source.read();
      if (done) return undefined;
      this.chunks.push(value);
      this.size += value.length;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0] as Uint8Array;
      const take = Math.min(head.length, n - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.size -= n;
    return out;
  }

  cancel(): void {
    this.source.cancel().catch(() => {});
  }
}

const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

/** The bytes of `wanted` in the gzipped tar `body`, or undefined when it is not there. */
export async function extractFromTarGz(
  body: ReadableStream<Uint8Array>,
  wanted: string,
  contentType = "application/octet-stream",
): Promise<Blob | undefined> {
  const gunzip = new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  const reader = new Reader(body.pipeThrough(gunzip).getReader());
  try {
    let longPath: string | undefined;
    for (;;) {
      const header = await reader.read(BLOCK);
      if (!header || header.every((b) => b === 0)) return undefined;
      const size = octal(header, 124, 12);
      const type = String.fromCharCode(header[156] ?? 48);
      const prefix = text(header, 345, 155);
      const name = text(header, 0, 100);
      const content = await reader.read(padded(size));
      if (!content) return undefined;
      if (type === "x") {
        longPath = paxPath(content.subarray(0, size));
        continue;
      }
      const path = longPath ?? (prefix ? `${prefix}/${name}` : name);
      longPath = undefined;
      if ((type === "0" || type === "\0") && path === wanted) {
        return new Blob([content.slice(0, size).buffer as ArrayBuffer], { type: contentType });
      }
    }
  } finally {
    reader.cancel();
  }
}
