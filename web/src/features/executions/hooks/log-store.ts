/**
 * An execution's log as lines, built incrementally from byte segments (live or stored). Kept
 * outside React state: appending 100k lines must not copy arrays; views read it by index and
 * re-render on a version number. Per line it keeps the raw text (ANSI kept for colours), a
 * plain copy for search (shared with the raw one when the line has no escapes), the step ref
 * that wrote it, and, sparsely, the colour state the line starts with and whether the step
 * wrote to stderr (a line is a stderr line when any of its bytes, its line feed included, came
 * from stderr).
 */
import type { OutputStream } from "@assay/shared";
import { type AnsiStyle, endStyle, isPlainStyle, stripAnsi } from "../../../lib/ansi.ts";

export class LogStore {
  readonly raw: string[] = [];
  readonly plain: string[] = [];
  readonly steps: string[] = [];
  readonly startStyles = new Map<number, AnsiStyle>();
  /** Indexes of the lines written (at least partly) to stderr. */
  readonly stderrLines = new Set<number>();
  /** Retries the agent announced per step ref (`[assay] step "x" failed; retry 1 of 3`). */
  readonly retries = new Map<string, { attempt: number; of: number }>();
  /** Bytes received so far (the next expected offset). */
  bytes = 0;
  private partial = "";
  private partialStep = "";
  private partialStderr = false;
  private carry: AnsiStyle = {};
  private readonly decoder = new TextDecoder();

  /** Lines, counting an unterminated last line (live output without a newline yet). */
  get length(): number {
    return this.raw.length + (this.partial ? 1 : 0);
  }

  line(index: number): {
    raw: string;
    plain: string;
    step: string;
    style: AnsiStyle | undefined;
    stream: OutputStream;
  } {
    if (index < this.raw.length) {
      return {
        raw: this.raw[index] ?? "",
        plain: this.plain[index] ?? "",
        step: this.steps[index] ?? "",
        style: this.startStyles.get(index),
        stream: this.stderrLines.has(index) ? "stderr" : "stdout",
      };
    }
    const text = cleanLine(this.partial);
    return {
      raw: text,
      plain: stripAnsi(text),
      step: this.partialStep,
      style: this.carryOrUndefined(),
      stream: this.partialStderr ? "stderr" : "stdout",
    };
  }

  /** Appends bytes `step` wrote to `stream`, starting at byte `offset`; overlaps are skipped. */
  append(bytes: Uint8Array, step: string, offset = this.bytes, stream: OutputStream = "stdout"): void {
    if (offset + bytes.length <= this.bytes) return;
    const fresh = offset < this.bytes ? bytes.subarray(this.bytes - offset) : bytes;
    this.bytes = Math.max(this.bytes, offset) + fresh.length;
    const text = this.decoder.decode(fresh, { stream: true });
    if (text === "") return;
    const stderr = stream === "stderr";
    if (!this.partial) this.partialStep = step;
    const pieces = text.split("\n");
    pieces[0] = this.partial + (pieces[0] ?? "");
    this.partial = pieces.pop() ?? "";
    pieces.forEach((piece, i) => {
      this.push(piece, i === 0 ? this.partialStep : step, stderr || (i === 0 && this.partialStderr));
    });
    if (pieces.length > 0) {
      this.partialStep = step;
      this.partialStderr = stderr && this.partial !== "";
    } else {
      this.partialStderr ||= stderr;
    }
  }

  private push(rawLine: string, step: string, stderr: boolean) {
    const line = cleanLine(rawLine);
    const index = this.raw.length;
    this.raw.push(line);
    this.steps.push(step);
    if (stderr) this.stderrLines.add(index);
    if (!isPlainStyle(this.carry)) this.startStyles.set(index, this.carry);
    if (line.startsWith("[assay] step ")) {
      const retry = RETRY.exec(line);
      if (retry) this.retries.set(step, { attempt: Number(retry[1]), of: Number(retry[2]) });
    }
    if (line.includes("\u001b")) {
      this.plain.push(stripAnsi(line));
      this.carry = endStyle(line, this.carry);
    } else {
      this.plain.push(line);
    }
  }

  private carryOrUndefined() {
    return isPlainStyle(this.carry) ? undefined : this.carry;
  }
}

const RETRY = /; retry (\d+) of (\d+)$/;

/** A carriage return rewrites the line in a terminal: keep what was written last. */
function cleanLine(line: string): string {
  const trimmed = line.endsWith("\r") ? line.slice(0, -1) : line;
  const cr = trimmed.lastIndexOf("\r");
  return cr >= 0 ? trimmed.slice(cr + 1) : trimmed;
}

export function decodeBase64(data: string): Uint8Array {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (fromBase64) return fromBase64(data);
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
