/** Entry: one QueryClient, the router, and the client's sign-in redirect. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { setUnauthenticatedHandler } from "./api/client.ts";
import { isApiError } from "./api/errors.ts";
import { preloadLikelyPages, router } from "./router.tsx";
import "./styles.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // Client errors (not found, forbidden) will not heal by retrying.
      retry: (failures, error) =>
        failures < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
    },
  },
});

setUnauthenticatedHandler(() => {
  queryClient.clear();
  const here = router.state.location.href;
  void router.navigate({ to: "/login", search: here.startsWith("/login") ? {} : { redirect: here } });
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
  // After the first page: the chunks of the pages most visits go to next (router.tsx).
  if ("requestIdleCallback" in window) window.requestIdleCallback(preloadLikelyPages, { timeout: 3_000 });
  else setTimeout(preloadLikelyPages, 1_000);
}
