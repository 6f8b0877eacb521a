/** Sensitive header values are sealed at rest like the secret (see secret-box.ts). */
import { isSensitiveHeader } from "@assay/shared";
import type { SecretBox } from "../secret-box.ts";

export const sealHeaders = (headers: Record<string, string>, box: SecretBox | undefined) =>
  box
    ? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, isSensitiveHeader(k) ? box.seal(v) : v]))
    : headers;

export const openHeaders = (headers: Record<string, string>, box: SecretBox | undefined) =>
  box ? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, box.open(v)])) : headers;
