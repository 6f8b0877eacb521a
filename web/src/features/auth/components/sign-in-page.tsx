/**
 * Sign in with email and password (session cookie), or with an API token kept for this tab.
 * Both are checked by the API before the dashboard opens.
 */
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { request } from "../../../api/client.ts";
import { setCredentials } from "../../../auth/credentials.ts";
import type { Me } from "../../../auth/session.ts";
import { FormError } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { logIn } from "../api/auth.ts";
import { AuthCard } from "./auth-card.tsx";
import { SsoSignIn } from "./sso-sign-in.tsx";

export function SignInPage() {
  const search = useSearch({ from: "/login" });
  const navigate = useNavigate();
  const client = useQueryClient();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const enter = async () => {
    client.clear();
    if (search.redirect) await navigate({ href: search.redirect });
    else await navigate({ to: "/" });
  };

  const withPassword = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      await logIn({ email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") });
      setCredentials({ kind: "session" });
      await enter();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const withToken = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const token = String(new FormData(event.currentTarget).get("token") ?? "").trim();
    setBusy(true);
    setError(undefined);
    const result = await request<Me>("/v1/me", {
      headers: { authorization: `Bearer ${token}` },
      handle401: false,
    });
    setBusy(false);
    if (!result.ok) {
      setError(
        result.error.status === 401
          ? "That token was not accepted. Check it was copied whole and has not expired or been revoked."
          : result.error,
      );
      return;
    }
    setCredentials({ kind: "token", token });
    await enter();
  };

  return (
    <AuthCard
      title="Sign in"
      footer={
        <>
          New to Assay? <Link to="/signup">Create an account</Link>
        </>
      }
    >
      <form onSubmit={withPassword} className="form" aria-label="Sign in with email">
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <FormError error={error} />
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </Button>
        <Link to="/reset-password" className="small">
          Forgot your password?
        </Link>
      </form>
      <SsoSignIn />
      <details className="token-signin">
        <summary>Sign in with an API token</summary>
        <form onSubmit={withToken} className="form" aria-label="Sign in with an API token">
          <p className="muted small">
            The token is kept for this tab only. In local mode (<code>npm start</code>) the owner token is in{" "}
            <code>.assay/local.json</code>.
          </p>
          <label>
            API token
            <input name="token" type="password" autoComplete="off" required placeholder="asy_api_…" />
          </label>
          <Button type="submit" disabled={busy}>
            Sign in with token
          </Button>
        </form>
      </details>
    </AuthCard>
  );
}
