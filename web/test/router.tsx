/**
 * Renders a component inside a real TanStack router on an in-memory history, so links build
 * their hrefs as they do in the app. Resolves once the router has rendered the component.
 */

import { createMemoryHistory, createRootRoute, createRouter, RouterProvider } from "@tanstack/react-router";
import { act, render } from "@testing-library/react";
import type { ReactNode } from "react";

export async function renderInRouter(ui: ReactNode, path = "/") {
  const root = createRootRoute({ component: () => <>{ui}</> });
  const router = createRouter({ routeTree: root, history: createMemoryHistory({ initialEntries: [path] }) });
  const result = render(<RouterProvider router={router} />);
  await act(() => router.load());
  return result;
}
