/**
 * The one API client. Every request of the dashboard goes through `request()`, which:
 * - attaches the credentials (Bearer token, or the session cookie for same-origin requests);
 * - turns non-2xx answers into `ApiError` with the API's own code and message;
 * - on 401 forgets the credentials and sends the user to the sign-in page (once), unless the
 *   caller handles 401 itself (`handle401: false`, e.g. the sign-in form checking a token).
 * `request()` returns a Result (callers decide about failure explicitly); `call()` unwraps it
 * for TanStack Query, which expects thrown errors.
 */
import type { Result } from "@assay/shared";
import { getCredentials, setCredentials } from "../auth/credentials.ts";
import { ApiError, toApiError } from "./errors.ts";

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (YAML for workflows). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** How to read a 2xx body (default: JSON, or nothing for 204). */
  as?: "json" | "text" | "response";
  /** Set false where a 401 is an expected answer, not an expired sign-in. */
  handle401?: boolean;
}

const CSRF_HEADER = "x-assay-csrf";

let onUnauthenticated: (() => void) | undefined;

/** The app installs the sign-in redirect here (the client knows nothing about routes). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

/** Headers that authenticate a request, for the few callers that stream (SSE, downloads). */
export function authHeaders(): Record<string, string> {
  const credentials = getCredentials();
  return credentials?.kind === "token" ? { authorization: `Bearer ${credentials.token}` } : {};
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<Result<T, ApiError>> {
  const method =
    options.method ?? (options.json !== undefined || options.text !== undefined ? "POST" : "GET");
  const headers: Record<string, string> = {
    accept: "application/json",
    ...authHeaders(),
    ...options.headers,
  };
  // The API's CSRF rule for cookie sessions: state changes carry this header, which a
  // cross-site form or fetch cannot add without a CORS preflight the API never grants.
  if (method !== "GET") headers[CSRF_HEADER] = "1";
  let body: string | undefined;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.text !== undefined) {
    headers["content-type"] = options.contentType ?? "application/yaml";
    body = options.text;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body,
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (cause) {
    if (options.signal?.aborted) throw cause;
    return {
      ok: false,
      error: new ApiError(0, "network", "Cannot reach the Assay API. Check your connection."),
    };
  }
  if (!response.ok) {
    const error = await toApiError(response);
    if (response.status === 401 && options.handle401 !== false) signOutExpired();
    return { ok: false, error };
  }
  if (options.as === "response") return { ok: true, value: response as T };
  if (options.as === "text") return { ok: true, value: (await response.text()) as T };
  if (response.status === 204) return { ok: true, value: undefined as T };
  const text = await response.text();
  return { ok: true, value: (text ? JSON.parse(text) : undefined) as T };
}

/** `request()` for TanStack Query: the value, or the ApiError thrown. */
export async function call<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const result = await request<T>(path, options);
  if (!result.ok) throw result.error;
  return result.value;
}

function signOutExpired() {
  if (!getCredentials()) return;
  setCredentials(undefined);
  onUnauthenticated?.();
}

const enc = encodeURIComponent;

/** `/v1/orgs/{org}/envs/{env}`: the prefix of every environment-scoped route. */
export const envPath = (org: string, env: string): string => `/v1/orgs/${enc(org)}/envs/${enc(env)}`;
export const orgPath = (org: string): string => `/v1/orgs/${enc(org)}`;
export { enc };
