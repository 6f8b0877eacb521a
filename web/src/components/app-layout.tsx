/**
 * The signed-in frame: the product, organization and environment switchers, the sections, and
 * sign out; a skip link for keyboard users; the page below. On a phone the sections and sign
 * out fold into one menu so the header stays one row. Sections the caller's role cannot use
 * (webhooks for non-admins) are left out.
 */
import { useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useMatchRoute, useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { useEnvs } from "../api/environments.ts";
import { useCan } from "../auth/permissions.ts";
import { signOut, useMe } from "../auth/session.ts";
import { Toasts } from "./toast.tsx";
import { Button } from "./ui/button.tsx";

export function AppLayout() {
  const { org, env } = useParams({ strict: false }) as { org: string; env?: string };
  const me = useMe();
  const envs = useEnvs(org);
  const navigate = useNavigate();
  const client = useQueryClient();
  const can = useCan(org);
  const [menuOpen, setMenuOpen] = useState(false);
  const orgs = me.data?.orgs ?? [];
  const leave = async () => {
    await signOut();
    client.clear();
    await navigate({ to: "/login" });
  };
  const current = { "aria-current": "page" } as const;
  // A workflow's insights page belongs to Insights (its header leads back to all workflows'
  // insights), though its path is under /workflows: only Insights is current there.
  const matchRoute = useMatchRoute();
  const onWorkflowInsights = Boolean(matchRoute({ to: "/orgs/$org/envs/$env/workflows/$name/insights" }));
  const who = me.data?.kind === "user" ? me.data.user.email : me.data?.kind === "api" ? "API token" : "";
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Assay home">
          <span className="brand-mark" aria-hidden="true" />
          Assay
        </Link>
        <div className="switchers">
          <label className="switcher">
            <span className="visually-hidden">Organization</span>
            <select
              value={org}
              onChange={(e) => void navigate({ to: "/orgs/$org", params: { org: e.target.value } })}
              aria-label="Organization"
            >
              {orgs.some((o) => o.id === org) ? null : <option value={org}>{org}</option>}
              {orgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
          {env ? (
            <label className="switcher">
              <span className="visually-hidden">Environment</span>
              <select
                value={env}
                aria-label="Environment"
                onChange={(e) =>
                  void navigate({
                    to: "/orgs/$org/envs/$env/workflows",
                    params: { org, env: e.target.value },
                  })
                }
              >
                {envs.data?.some((x) => x.id === env) ? null : <option value={env}>{env}</option>}
                {(envs.data ?? []).map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </div>
        <Button
          variant="ghost"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="topbar-menu"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </Button>
        {/* Closes after a choice: a click on a link inside ends the phone menu. */}
        {/* biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: the links and buttons inside carry the keyboard handling */}
        <div
          id="topbar-menu"
          className={menuOpen ? "topbar-menu topbar-menu-open" : "topbar-menu"}
          onClick={(e) => {
            if ((e.target as HTMLElement).closest("a")) setMenuOpen(false);
          }}
        >
          <nav aria-label="Main" className="nav">
            {env ? (
              <>
                <Link
                  to="/orgs/$org/envs/$env/workflows"
                  params={{ org, env }}
                  activeProps={current}
                  activeOptions={onWorkflowInsights ? { exact: true } : undefined}
                >
                  Workflows
                </Link>
                <Link to="/orgs/$org/envs/$env/executions" params={{ org, env }} activeProps={current}>
                  Executions
                </Link>
                <Link
                  to="/orgs/$org/envs/$env/insights"
                  params={{ org, env }}
                  activeProps={current}
                  {...(onWorkflowInsights ? current : {})}
                >
                  Insights
                </Link>
                <Link to="/orgs/$org/envs/$env/templates" params={{ org, env }} activeProps={current}>
                  Templates
                </Link>
                <Link to="/orgs/$org/envs/$env/schedules" params={{ org, env }} activeProps={current}>
                  Schedules
                </Link>
                <Link to="/orgs/$org/envs/$env/agents" params={{ org, env }} activeProps={current}>
                  Agents
                </Link>
                {can("manage-webhooks") ? (
                  <Link to="/orgs/$org/envs/$env/webhooks" params={{ org, env }} activeProps={current}>
                    Webhooks
                  </Link>
                ) : null}
                <Link to="/orgs/$org/envs/$env/credentials" params={{ org, env }} activeProps={current}>
                  Credentials
                </Link>
              </>
            ) : null}
            <Link to="/orgs/$org/envs" params={{ org }} activeProps={current} activeOptions={{ exact: true }}>
              Environments
            </Link>
            {env ? null : (
              <Link to="/orgs/$org/credentials" params={{ org }} activeProps={current}>
                Credentials
              </Link>
            )}
            <Link to="/orgs/$org/settings" params={{ org }} activeProps={current}>
              Settings
            </Link>
          </nav>
          <div className="topbar-end">
            <span className="muted small who">{who}</span>
            <Button variant="ghost" onClick={leave} title={who ? `Signed in as ${who}` : undefined}>
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
      <Toasts />
    </div>
  );
}
