/**
 * Masks secret values in a byte stream. Output arrives in arbitrary pieces, so a secret can be
 * split across two reads: the masker holds back the longest tail that could still become a
 * secret and releases it with the next piece (or at `end`). Nothing else is delayed.
 */

export const MASK = "********";

/** A streaming masker for one output stream. */
export interface StreamMasker {
  /** Returns the bytes that are safe to emit now. */
  push(data: Uint8Array): Buffer;
  /** Returns whatever was held back (the stream ended). */
  end(): Buffer;
}

/** Masks complete values in a string (messages, warnings). */
export const maskText = (text: string, secrets: readonly string[]): string => {
  let out = text;
  for (const secret of sortSecrets(secrets)) out = out.split(secret).join(MASK);
  return out;
};

const sortSecrets = (secrets: readonly string[]): string[] =>
  [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);

/** Creates a masker for `secrets` (empty values are ignored). */
export const createStreamMasker = (secrets: readonly string[]): StreamMasker => {
  const needles = sortSecrets(secrets).map((s) => Buffer.from(s));
  const mask = Buffer.from(MASK);
  let held: Buffer = Buffer.alloc(0);

  const replaceAll = (input: Buffer): Buffer => {
    let current = input;
    for (const needle of needles) {
      if (current.indexOf(needle) === -1) continue;
      const parts: Buffer[] = [];
      let from = 0;
      for (let at = current.indexOf(needle); at !== -1; at = current.indexOf(needle, from)) {
        parts.push(current.subarray(from, at), mask);
        from = at + needle.length;
      }
      parts.push(current.subarray(from));
      current = Buffer.concat(parts);
    }
    return current;
  };

  /** Length of the longest suffix of `data` that is a proper prefix of some secret. */
  const pendingSuffix = (data: Buffer): number => {
    let best = 0;
    for (const needle of needles) {
      const max = Math.min(needle.length - 1, data.length);
      for (let len = max; len > best; len--) {
        if (data.subarray(data.length - len).equals(needle.subarray(0, len))) {
          best = len;
          break;
        }
      }
    }
    return best;
  };

  return {
    push(data) {
      if (needles.length === 0) return Buffer.from(data);
      const replaced = replaceAll(Buffer.concat([held, data]));
      const keep = pendingSuffix(replaced);
      held = Buffer.from(replaced.subarray(replaced.length - keep));
      return replaced.subarray(0, replaced.length - keep);
    },
    end() {
      const rest = held;
      held = Buffer.alloc(0);
      return rest;
    },
  };
};
