/**
 * The route tree (code-based TanStack Router). URLs mirror the API: an organization's pages
 * under `/orgs/$org/...`, an environment's under `/orgs/$org/envs/$env/...`. Signed-out pages
 * match the links the API emails (`/verify-email#token=`, `/reset-password#token=`,
 * `/invitations#token=`). Pages are lazy chunks (below); so are the workflow editor (CodeMirror
 * and the shared workflow parser) and the insights pages (uPlot), which cost nothing until used.
 * web/src/initial-load.test.ts keeps what the first page load holds in check.
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
import { SignInPage } from "./features/auth/components/sign-in-page.tsx";
import { parseDays } from "./features/insights/api/insights.ts";
import { WorkflowsPage } from "./features/workflows/components/workflows-page.tsx";
import { EXECUTION_STATUSES } from "./lib/status.ts";
import { SINCE_WINDOWS, type SinceWindow } from "./lib/time-window.ts";

// Pages load with their route: each is a lazy chunk, fetched when a link to it is hovered or
// followed (the router waits for it before leaving the current page). The entry holds the app's
// frame, the sign-in page and the workflows list every signed-in visit lands on; the rest
// (the log viewer and its event validation, cron wording, SSO, credentials, webhooks) costs
// nothing until it is opened.
const SignUpPage = lazyRouteComponent(
  () => import("./features/auth/components/sign-up-page.tsx"),
  "SignUpPage",
);
const VerifyEmailPage = lazyRouteComponent(
  () => import("./features/auth/components/verify-email-page.tsx"),
  "VerifyEmailPage",
);
const SsoLinkPage = lazyRouteComponent(
  () => import("./features/auth/components/sso-link-page.tsx"),
  "SsoLinkPage",
);
const ResetPasswordPage = lazyRouteComponent(
  () => import("./features/auth/components/reset-password-page.tsx"),
  "ResetPasswordPage",
);
const AcceptInvitationPage = lazyRouteComponent(
  () => import("./features/auth/components/accept-invitation-page.tsx"),
  "AcceptInvitationPage",
);
const EnvironmentsPage = lazyRouteComponent(
  () => import("./features/environments/components/environments-page.tsx"),
  "EnvironmentsPage",
);
const OnboardingPage = lazyRouteComponent(
  () => import("./features/environments/components/onboarding-page.tsx"),
  "OnboardingPage",
);
const AgentsPage = lazyRouteComponent(
  () => import("./features/environments/components/agents-page.tsx"),
  "AgentsPage",
);
const SettingsPage = lazyRouteComponent(
  () => import("./features/settings/components/settings-page.tsx"),
  "SettingsPage",
);
const credentialsPage = () => import("./features/credentials/components/credentials-page.tsx");
const EnvCredentialsPage = lazyRouteComponent(credentialsPage, "EnvCredentialsPage");
const OrgCredentialsPage = lazyRouteComponent(credentialsPage, "OrgCredentialsPage");
const WorkflowPage = lazyRouteComponent(
  () => import("./features/workflows/components/workflow-page.tsx"),
  "WorkflowPage",
);
const SchedulesPage = lazyRouteComponent(
  () => import("./features/workflows/components/schedules.tsx"),
  "SchedulesPage",
);
const TemplatesPage = lazyRouteComponent(
  () => import("./features/templates/components/templates-page.tsx"),
  "TemplatesPage",
);
const TemplatePage = lazyRouteComponent(
  () => import("./features/templates/components/template-page.tsx"),
  "TemplatePage",
);
const WebhooksPage = lazyRouteComponent(
  () => import("./features/webhooks/components/webhooks-page.tsx"),
  "WebhooksPage",
);
const WebhookPage = lazyRouteComponent(
  () => import("./features/webhooks/components/webhook-page.tsx"),
  "WebhookPage",
);
const ExecutionsPage = lazyRouteComponent(
  () => import("./features/executions/components/executions-page.tsx"),
  "ExecutionsPage",
);
const ExecutionPage = lazyRouteComponent(
  () => import("./features/executions/components/execution-page.tsx"),
  "ExecutionPage",
);

/**
 * The pages most visits go to next (a run's page, the executions list), fetched once the first
 * page has rendered and the browser is idle, so following a link to them waits for no chunk.
 */
export function preloadLikelyPages(): void {
  void ExecutionPage.preload?.();
  void ExecutionsPage.preload?.();
}

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
