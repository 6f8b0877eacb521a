/**
 * Who the dashboard talks to the API as. Two ways in:
 * - an API token (`asy_api_...`) pasted on the sign-in page, kept in sessionStorage (gone when
 *   the tab closes; never in localStorage, never in a URL) and sent as a Bearer header;
 * - a session cookie set by the API's login (HttpOnly: the page never sees it).
 * The API client is the only reader of the token; pages only ask which kind is in use.
 */
import { useSyncExternalStore } from "react";

export interface TokenCredentials {
  kind: "token";
  token: string;
}

export interface SessionCredentials {
  kind: "session";
}

export type Credentials = TokenCredentials | SessionCredentials;

const KEY = "assay.credentials";
const HINT = "assay.session-hint";
const listeners = new Set<() => void>();
let current: Credentials | undefined = read();

function read(): Credentials | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const value = JSON.parse(raw) as Partial<Credentials> & Record<string, unknown>;
    // A session is re-checked with the API on load (the cookie may have expired).
    if (value.kind === "session") return undefined;
    if (value.kind === "token" && typeof value.token === "string") {
      return { kind: "token", token: value.token };
    }
  } catch {
    // Storage unavailable or corrupted: start signed out.
  }
  return undefined;
}

export function getCredentials(): Credentials | undefined {
  return current;
}

/**
 * Whether this browser signed in with a session before, or left for single sign-on (a
 * non-secret hint in localStorage), so a fresh visitor is sent to the sign-in page without a
 * 401 probe of the API.
 */
export function hasSessionHint(): boolean {
  try {
    return localStorage.getItem(HINT) === "1";
  } catch {
    return false;
  }
}

/**
 * Notes, before the browser leaves for an identity provider, that it will come back with a
 * session cookie: the page it returns to checks for the cookie instead of going to sign-in.
 */
export function expectSessionCookie(): void {
  try {
    localStorage.setItem(HINT, "1");
  } catch {
    // Private mode: the returning page sends the user to sign in.
  }
}

export function setCredentials(next: Credentials | undefined): void {
  current = next;
  try {
    if (next?.kind === "session") localStorage.setItem(HINT, "1");
    else if (!next) localStorage.removeItem(HINT);
    if (next) sessionStorage.setItem(KEY, JSON.stringify(next));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Private mode: the credentials live for this page only.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useCredentials(): Credentials | undefined {
  return useSyncExternalStore(subscribe, getCredentials);
}
