/**
 * "Sign in with SSO": the organization's own provider, found by the email's domain or by the
 * organization's id, and the operator's platform-wide providers. Each is a full navigation to
 * the API, which redirects to the provider and back with a session cookie; before leaving, the
 * dashboard notes that the page it comes back to is to look for that cookie.
 */
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { expectSessionCookie } from "../../../auth/credentials.ts";
import { Button } from "../../../components/ui/button.tsx";
import { ssoProviders, ssoStartUrl } from "../api/auth.ts";

/** Leaves for the provider; the dashboard page the callback returns to finds the session. */
const goToProvider = (url: string) => {
  expectSessionCookie();
  window.location.assign(url);
};

export function SsoSignIn() {
  const providers = useQuery({ queryKey: ["sso-providers"], queryFn: ssoProviders, retry: false });
  const [hint, setHint] = useState<string>();
  const start = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get("who") ?? "")
      .trim()
      .toLowerCase();
    if (!value) return setHint("Enter your work email or your organization's id.");
    goToProvider(ssoStartUrl(value.includes("@") ? { email: value } : { org: value }));
  };
  return (
    <section className="sso-signin" aria-label="Single sign-on">
      <form onSubmit={start} className="form" aria-label="Sign in with SSO">
        <label>
          Work email or organization id
          <input name="who" autoComplete="email" placeholder="you@company.com or acme" />
        </label>
        {hint ? <p className="form-error">{hint}</p> : null}
        <Button type="submit">Sign in with SSO</Button>
      </form>
      {providers.data?.items.map((p) => (
        <Button key={p.id} onClick={() => goToProvider(ssoStartUrl({ provider: p.id }))}>
          Sign in with {p.name}
        </Button>
      ))}
    </section>
  );
}
