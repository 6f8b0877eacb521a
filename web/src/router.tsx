/**
 * The route tree (code-based TanStack Router). URLs mirror the API: an organization's pages
 * under `/orgs/$org/...`, an environment's under `/orgs/$org/envs/$env/...`. Signed-out pages
 * match the links the API emails (`/verify-email#token=`, `/reset-password#token=`,
 * `/invitations#token=`). The workflow editor (CodeMirror and the shared workflow parser) is a
 * lazy chunk, so it costs nothing until someone edits a workflow.
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
import { ensureSignedIn } from "./auth/session.ts";
import { AppLayout } from "./components/app-layout.tsx";
import { Home, OrgHome } from "./components/home-redirect.tsx";
import { NotFound } from "./components/not-found.tsx";
import { AcceptInvitationPage } from "./features/auth/components/accept-invitation-page.tsx";
import { ResetPasswordPage } from "./features/auth/components/reset-password-page.tsx";
import { SignInPage } from "./features/auth/components/sign-in-page.tsx";
import { SignUpPage } from "./features/auth/components/sign-up-page.tsx";
import { SsoLinkPage } from "./features/auth/components/sso-link-page.tsx";
import { VerifyEmailPage } from "./features/auth/components/verify-email-page.tsx";
import {
  EnvCredentialsPage,
  OrgCredentialsPage,
} from "./features/credentials/components/credentials-page.tsx";
import { AgentsPage } from "./features/environments/components/agents-page.tsx";
import { EnvironmentsPage } from "./features/environments/components/environments-page.tsx";
import { OnboardingPage } from "./features/environments/components/onboarding-page.tsx";
import { ExecutionPage } from "./features/executions/components/execution-page.tsx";
import { ExecutionsPage } from "./features/executions/components/executions-page.tsx";
import { parseDays } from "./features/insights/api/insights.ts";
import { SettingsPage } from "./features/settings/components/settings-page.tsx";
import { TemplatePage } from "./features/templates/components/template-page.tsx";
import { TemplatesPage } from "./features/templates/components/templates-page.tsx";
import { WebhookPage } from "./features/webhooks/components/webhook-page.tsx";
import { WebhooksPage } from "./features/webhooks/components/webhooks-page.tsx";
import { SchedulesPage } from "./features/workflows/components/schedules.tsx";
import { WorkflowPage } from "./features/workflows/components/workflow-page.tsx";
import { WorkflowsPage } from "./features/workflows/components/workflows-page.tsx";
import { EXECUTION_STATUSES } from "./lib/status.ts";
import { SINCE_WINDOWS, type SinceWindow } from "./lib/time-window.ts";

const rootRoute = createRootRoute({ component: Outlet, notFoundComponent: NotFound });

const requireSignIn = async ({ location }: { location: { href: string } }) => {
  if (!(await ensureSignedIn())) throw redirect({ to: "/login", search: { redirect: location.href } });
};

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  beforeLoad: requireSignIn,
  component: Home,
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  validateSearch: (search: Record<string, unknown>): { redirect?: string } =>
    typeof search.redirect === "string" &&
    search.redirect.startsWith("/") &&
    !search.redirect.startsWith("//")
      ? { redirect: search.redirect }
      : {},
  component: SignInPage,
});
const signupRoute = createRoute({ getParentRoute: () => rootRoute, path: "/signup", component: SignUpPage });
const verifyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/verify-email",
  component: VerifyEmailPage,
});
const ssoLinkRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/sso/link",
  component: SsoLinkPage,
});
const resetRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/reset-password",
  component: ResetPasswordPage,
});
// Readable signed out: the page says what the invitation is and offers to sign up from it.
const invitationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/invitations",
  beforeLoad: async () => ({ signedIn: await ensureSignedIn() }),
  component: AcceptInvitationPage,
});

const orgRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/orgs/$org",
  beforeLoad: requireSignIn,
  component: AppLayout,
});
const orgIndexRoute = createRoute({ getParentRoute: () => orgRoute, path: "/", component: OrgHome });
const envsRoute = createRoute({ getParentRoute: () => orgRoute, path: "envs", component: EnvironmentsPage });
const settingsRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "settings",
  component: SettingsPage,
});
const onboardingRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "onboarding",
  component: OnboardingPage,
});

const envRoute = createRoute({ getParentRoute: () => orgRoute, path: "envs/$env", component: Outlet });
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
const templateEditor = lazyRouteComponent(
  () => import("./features/templates/editor/template-editor-page.tsx"),
  "TemplateEditorPage",
);
const templatesRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "templates",
  component: TemplatesPage,
});
const templateRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "templates/$name",
  component: TemplatePage,
});
const templateEditRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "templates/$name/edit",
  component: templateEditor,
});
const templateNewRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "new-template",
  component: templateEditor,
});
const schedulesRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "schedules",
  component: SchedulesPage,
});
const agentsRoute = createRoute({ getParentRoute: () => envRoute, path: "agents", component: AgentsPage });
const webhooksRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "webhooks",
  component: WebhooksPage,
});
const webhookRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "webhooks/$name",
  component: WebhookPage,
});
const envCredentialsRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "credentials",
  component: EnvCredentialsPage,
});
const orgCredentialsRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "credentials",
  component: OrgCredentialsPage,
});

export interface ExecutionsSearch {
  workflow?: string;
  status?: ExecutionStatus;
  /** `key=value` tag filters, comma-separated (each becomes one `?tag=` of the API). */
  tag?: string;
  /** Only executions created within this window (client-side: the API has no time filter). */
  since?: SinceWindow;
}

/** `?days=N`: the insights window; anything but an offered window falls back to the default. */
const insightsSearch = (search: Record<string, unknown>): { days?: number } =>
  search.days === undefined ? {} : { days: parseDays(search.days) };
// The insights pages and their charting library load on first visit, not with the app.
const envInsights = lazyRouteComponent(
  () => import("./features/insights/components/env-insights-page.tsx"),
  "EnvInsightsPage",
);
const workflowInsights = lazyRouteComponent(
  () => import("./features/insights/components/workflow-insights-page.tsx"),
  "WorkflowInsightsPage",
);
const insightsRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "insights",
  validateSearch: insightsSearch,
  component: envInsights,
});
const workflowInsightsRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "workflows/$name/insights",
  validateSearch: insightsSearch,
  component: workflowInsights,
});

const executionsRoute = createRoute({
  getParentRoute: () => envRoute,
  path: "executions",
  validateSearch: (search: Record<string, unknown>): ExecutionsSearch => ({
    ...(typeof search.workflow === "string" && search.workflow ? { workflow: search.workflow } : {}),
    ...(EXECUTION_STATUSES.includes(search.status as ExecutionStatus)
      ? { status: search.status as ExecutionStatus }
      : {}),
    ...(typeof search.tag === "string" && search.tag.trim() ? { tag: search.tag.trim() } : {}),
    ...(SINCE_WINDOWS.includes(search.since as SinceWindow) ? { since: search.since as SinceWindow } : {}),
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
  signupRoute,
  verifyRoute,
  ssoLinkRoute,
  resetRoute,
  invitationRoute,
  orgRoute.addChildren([
    orgIndexRoute,
    envsRoute,
    settingsRoute,
    orgCredentialsRoute,
    onboardingRoute,
    envRoute.addChildren([
      envIndexRoute,
      workflowsRoute,
      workflowNewRoute,
      workflowRoute,
      workflowEditRoute,
      workflowInsightsRoute,
      insightsRoute,
      templatesRoute,
      templateNewRoute,
      templateRoute,
      templateEditRoute,
      schedulesRoute,
      agentsRoute,
      webhooksRoute,
      webhookRoute,
      envCredentialsRoute,
      executionsRoute,
      executionRoute,
    ]),
  ]),
]);

export const router = createRouter({ routeTree, defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
