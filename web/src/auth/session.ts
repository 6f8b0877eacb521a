/**
 * The signed-in identity: `GET /v1/me` answers for a session cookie and for an API token
 * alike (the user or token, and the organizations it reaches). Route guards call
 * `ensureSignedIn()`; pages read `useMe()`.
 */
import type { OrgView, UserView } from "@assay/shared";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { call, request } from "../api/client.ts";
import { getCredentials, hasSessionHint, setCredentials } from "./credentials.ts";

export type Me =
  | { kind: "user"; user: UserView; orgs: OrgView[] }
  | { kind: "api"; token: { id: string; orgId: string; role: string }; orgs: OrgView[] };

export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: ({ signal }) => call<Me>("/v1/me", { signal }),
  staleTime: 30_000,
});

export const useMe = () => useQuery(meQuery);

/**
 * True when the browser is signed in: a kept API token, or a session cookie the API accepts
 * (checked once per page load when this browser signed in before or is back from single
 * sign-on; the cookie itself is HttpOnly and invisible here).
 */
export async function ensureSignedIn(): Promise<boolean> {
  if (getCredentials()) return true;
  if (!hasSessionHint()) return false;
  const result = await request<Me>("/v1/me", { handle401: false });
  if (!result.ok) {
    // No session behind the hint (expired, or a single sign-on that was refused): drop it.
    if (result.error.status === 401) setCredentials(undefined);
    return false;
  }
  setCredentials({ kind: "session" });
  return true;
}

/** Ends the session (cookie) or forgets the token. */
export async function signOut(): Promise<void> {
  if (getCredentials()?.kind === "session")
    await request("/v1/auth/logout", { method: "POST", handle401: false });
  setCredentials(undefined);
}
