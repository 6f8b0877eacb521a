/**
 * Text from users (organization and user names) placed into emails. Names are validated at the
 * API, but names stored before that rule, and names of other origins, still reach mail: they are
 * made inert here. Control and invisible formatting characters become `\uXXXX` (no forged lines
 * or headers, no reordered text), length is bounded, and link-like text is defanged
 * (`https://x.example` becomes `https[:]//x[.]example`) so a name cannot turn into a clickable
 * link in the recipient's mail client.
 */

const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/gu;
/** A dot between two word characters (`evil.example`, `www.x`): what mail clients autolink. */
const DOMAIN_DOT = /(?<=[\p{L}\p{N}_-])\.(?=[\p{L}\p{N}_-])/gu;
const SCHEME = /:(?=\/\/)/g;

/** Longest user text kept in a subject or body; the rest becomes an ellipsis. */
export const MAX_MAIL_FIELD = 100;

/** A user-supplied value made safe to embed in a mail subject or plain-text body. */
export function mailText(value: string): string {
  const visible = value.replace(
    CONTROL_OR_FORMAT,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
  const bounded = visible.length > MAX_MAIL_FIELD ? `${visible.slice(0, MAX_MAIL_FIELD)}…` : visible;
  return bounded.replace(SCHEME, "[:]").replace(DOMAIN_DOT, "[.]");
}

/** A user-supplied value as a quoted string in mail ("…"), with inner quotes escaped. */
export const quotedMailText = (value: string): string => `"${mailText(value.replace(/["\\]/g, "\\$&"))}"`;
