/**
 * The route tree (code-based TanStack Router). URLs mirror the API: everything scoped to an
 * environment lives under `/orgs/$org/envs/$env/...`. The workflow editor (CodeMirror and the
 * shared workflow parser) is a lazy chunk, so it costs nothing until someone edits a workflow.
 */
import type { ExecutionStatus } from "@assay/shared";
import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { getCredentials } from "./auth/credentials.ts";
import { AppLayout } from "./components/app-layout.tsx";
import { NotFound } from "./components/not-found.tsx";
import { SignInPage } from "./features/auth/components/sign-in-page.tsx";
import { ExecutionPage } from "./features/executions/components/execution-page.tsx";
import { ExecutionsPage } from "./features/executions/components/executions-page.tsx";
import { WorkflowPage } from "./features/workflows/components/workflow-page.tsx";
import { WorkflowsPage } from "./features/workflows/components/workflows-page.tsx";
import { EXECUTION_STATUSES } from "./lib/status.ts";

const rootRoute = createRootRoute({ component: Outlet, notFoundComponent: NotFound });

const requireSignIn = ({ location }: { location: { href: string } }) => {
  if (!getCredentials()) throw redirect({ to: "/login", search: { redirect: location.href } });
};

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  beforeLoad: ({ location }) => {
    requireSignIn({ location });
    const credentials = getCredentials();
    if (credentials?.kind === "token") {
      throw redirect({
        to: "/orgs/$org/envs/$env/workflows",
        params: { org: credentials.org, env: credentials.env },
      });
    }
  },
  component: NotFound,
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  validateSearch: (search: Record<string, unknown>): { redirect?: string } =>
    typeof search.redirect === "string" && search.redirect.startsWith("/")
      ? { redirect: search.redirect }
      : {},
  component: SignInPage,
});

const envRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/orgs/$org/envs/$env",
  beforeLoad: requireSignIn,
  component: AppLayout,
});

const envIndexRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "/",
  beforeLoad: ({ params }) => {
    throw redirect({ to: "/orgs/$org/envs/$env/workflows", params });
  },
});

const workflowsRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "workflows",
  component: WorkflowsPage,
});
const workflowRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "workflows/$name",
  component: WorkflowPage,
});

const editor = lazyRouteComponent(() => import("./features/workflows/editor/editor-page.tsx"), "EditorPage");
const workflowEditRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "workflows/$name/edit",
  component: editor,
});
const workflowNewRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "new-workflow",
  component: editor,
});

export interface ExecutionsSearch {
  workflow?: string;
  status?: ExecutionStatus;
}

const executionsRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "executions",
  validateSearch: (search: Record<string, unknown>): ExecutionsSearch => ({
    ...(typeof search.workflow === "string" && search.workflow ? { workflow: search.workflow } : {}),
    ...(EXECUTION_STATUSES.includes(search.status as ExecutionStatus)
      ? { status: search.status as ExecutionStatus }
      : {}),
  }),
  component: ExecutionsPage,
});

const executionRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "executions/$id",
  component: ExecutionPage,
});

const routeTree = rootRoute.addChildren([
  indexRoute,
  loginRoute,
  envRoute.addChildren([
    envIndexRoute,
    workflowsRoute,
    workflowNewRoute,
    workflowRoute,
    workflowEditRoute,
    executionsRoute,
    executionRoute,
  ]),
]);

export const router = createRouter({ routeTree, defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
