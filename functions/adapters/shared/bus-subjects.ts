/**
 * Subject syntax shared by every Bus adapter, following NATS: `.`-separated non-empty tokens
 * without whitespace; in subscriptions `*` stands for one whole token and `>` for one or more
 * trailing tokens. Both adapters validate the same way, so a subject that works locally works
 * on NATS and the other way round.
 */
import { AppError } from "@assay/shared";

const MAX_SUBJECT_LENGTH = 1024;

const tokensOf = (subject: string, what: string): string[] => {
  if (subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH || /\s/.test(subject)) {
    throw new AppError("invalid_argument", `invalid ${what} "${subject}"`);
  }
  const tokens = subject.split(".");
  if (tokens.some((token) => token.length === 0)) {
    throw new AppError("invalid_argument", `invalid ${what} "${subject}": empty token`);
  }
  return tokens;
};

/** Validates a subject to publish on (no wildcards); returns its tokens. */
export const parsePublishSubject = (subject: string): string[] => {
  const tokens = tokensOf(subject, "subject");
  if (tokens.some((token) => token.includes("*") || token.includes(">"))) {
    throw new AppError("invalid_argument", `cannot publish to a wildcard subject "${subject}"`);
  }
  return tokens;
};

/** Validates a subscription pattern; returns its tokens. */
export const parseSubscribePattern = (pattern: string): string[] => {
  const tokens = tokensOf(pattern, "subscription subject");
  tokens.forEach((token, i) => {
    const wildcard = token.includes("*") || token.includes(">");
    if (wildcard && token !== "*" && token !== ">") {
      throw new AppError("invalid_argument", `wildcards must be whole tokens in "${pattern}"`);
    }
    if (token === ">" && i !== tokens.length - 1) {
      throw new AppError("invalid_argument", `">" must be the last token in "${pattern}"`);
    }
  });
  return tokens;
};
