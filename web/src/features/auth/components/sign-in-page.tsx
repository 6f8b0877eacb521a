/**
 * Sign in. Today the API authenticates with API tokens (`asy_api_...`): the form checks the
 * token against the given organization and environment before keeping it for this tab.
 */
import { useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { envPath, request } from "../../../api/client.ts";
import type { ApiError } from "../../../api/errors.ts";
import { setCredentials } from "../../../auth/credentials.ts";
import { FormError } from "../../../components/states.tsx";

export function SignInPage() {
  const search = useSearch({ from: "/login" });
  const navigate = useNavigate();
  const [error, setError] = useState<ApiError | string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const token = String(form.get("token") ?? "").trim();
    const org = String(form.get("org") ?? "").trim();
    const env = String(form.get("env") ?? "").trim();
    setBusy(true);
    setError(undefined);
    const result = await request(`${envPath(org, env)}/workflows`, {
      headers: { authorization: `Bearer ${token}` },
      handle401: false,
    });
    setBusy(false);
    if (!result.ok) {
      setError(
        result.error.status === 401
          ? "That token was not accepted. Check it was copied whole and has not been revoked."
          : result.error,
      );
      return;
    }
    setCredentials({ kind: "token", token, org, env });
    if (search.redirect) await navigate({ href: search.redirect });
    else await navigate({ to: "/orgs/$org/envs/$env/workflows", params: { org, env } });
  };

  return (
    <main className="auth" id="main">
      <div className="auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Assay
        </div>
        <h1>Sign in</h1>
        <p className="muted">
          Use an API token of your organization. In local mode (<code>npm start</code>) the owner token is in{" "}
          <code>.assay/local.json</code>.
        </p>
        <form onSubmit={submit} className="form">
          <label>
            API token
            <input name="token" type="password" autoComplete="off" required placeholder="asy_api_…" />
          </label>
          <div className="form-row">
            <label>
              Organization
              <input name="org" required defaultValue="demo" autoCapitalize="none" spellCheck={false} />
            </label>
            <label>
              Environment
              <input name="env" required defaultValue="local" autoCapitalize="none" spellCheck={false} />
            </label>
          </div>
          <FormError error={error} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  );
}
