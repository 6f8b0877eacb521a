/**
 * The signed-in frame: a header with the product, the current organization and environment,
 * the main sections, and sign out; a skip link for keyboard users; the page below.
 */
import { Link, Outlet, useNavigate, useParams } from "@tanstack/react-router";
import { setCredentials, useCredentials } from "../auth/credentials.ts";

export function AppLayout() {
  const { org, env } = useParams({ from: "/orgs/$org/envs/$env" });
  const credentials = useCredentials();
  const navigate = useNavigate();
  const signOut = () => {
    setCredentials(undefined);
    void navigate({ to: "/login" });
  };
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
        <p className="scope">
          <span className="visually-hidden">Organization </span>
          <span className="scope-org">{org}</span>
          <span aria-hidden="true">/</span>
          <span className="visually-hidden"> environment </span>
          <span className="scope-env">{env}</span>
        </p>
        <nav aria-label="Main" className="nav">
          <Link
            to="/orgs/$org/envs/$env/workflows"
            params={{ org, env }}
            activeProps={{ "aria-current": "page" }}
          >
            Workflows
          </Link>
          <Link
            to="/orgs/$org/envs/$env/executions"
            params={{ org, env }}
            activeProps={{ "aria-current": "page" }}
          >
            Executions
          </Link>
        </nav>
        <div className="topbar-end">
          {credentials?.kind === "token" ? <span className="muted small">API token</span> : null}
          <button type="button" className="button button-ghost" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
