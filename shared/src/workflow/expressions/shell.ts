/**
 * POSIX shell quoting for `shellquote` and word splitting for `shellparse`, with the semantics
 * of the go-shellquote library Testkube uses: words split on blanks, single quotes are literal,
 * double quotes honour `\"`, `\\`, `\$` and `` \` ``, a backslash outside quotes escapes the next
 * character, and a backslash-newline joins lines.
 */

const SAFE = /^[A-Za-z0-9_\-+=.,/:@%^]+$/;

/** Quotes one word so that `sh` reads it back unchanged. */
export const quoteWord = (word: string): string => {
  if (word === "") return "''";
  if (SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
};

/** Splits a command line into words; throws on an unterminated quote or trailing backslash. */
export const splitWords = (text: string): string[] => {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "\\") {
      if (i + 1 >= text.length) throw new Error("unterminated backslash escape");
      const next = text[i + 1] as string;
      if (next !== "\n") word += next;
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated single-quoted string");
      word += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i] as string;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === "\\" && i + 1 < text.length) {
          const e = text[i + 1] as string;
          if (e === '"' || e === "\\" || e === "$" || e === "`") word += e;
          else if (e !== "\n") word += `\\${e}`;
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) throw new Error("unterminated double-quoted string");
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
};
