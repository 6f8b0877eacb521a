/**
 * Renders a component in the router (test/router.tsx) under a query client whose cache already
 * holds what the page would have fetched: the caller's identity with a role in `acme`, and any
 * other query's answer. Nothing is stale, so the component reads the cache and sends no request;
 * nothing is collected either, so no timer outlives the test.
 */
import type { Role } from "@assay/shared";
import { QueryClient, QueryClientProvider, type QueryKey } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { type Me, meQuery } from "../src/auth/session.ts";
import { renderInRouter } from "./router.tsx";

export async function renderWithCache(
  ui: ReactNode,
  { role, cached = [] }: { role: Role; cached?: Array<[QueryKey, unknown]> },
) {
  const client = new QueryClient({
    defaultOptions: {
      queries: { staleTime: Number.POSITIVE_INFINITY, gcTime: Number.POSITIVE_INFINITY, retry: false },
    },
  });
  const me: Me = {
    kind: "user",
    user: { id: "usr_1", email: "ann@example.com", name: "Ann", createdAt: "2026-12-01T10:00:00.000Z" },
    orgs: [
      {
        id: "acme",
        name: "Acme",
        plan: "free",
        createdAt: "2026-12-01T10:00:00.000Z",
        role,
        limits: { environments: 3, concurrentExecutions: 5, logRetentionDays: 7, artifactRetentionDays: 7 },
      },
    ],
  };
  client.setQueryData(meQuery.queryKey, me);
  for (const [key, value] of cached) client.setQueryData(key, value);
  const result = await renderInRouter(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
  return { ...result, client };
}
