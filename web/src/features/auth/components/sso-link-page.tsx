/**
 * The identity provider vouched for an address that already has a password account: the
 * accounts are linked only once that account's password is given here.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { setCredentials } from "../../../auth/credentials.ts";
import { ErrorState, FormError, Loading } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { ssoLink, ssoLinkInfo } from "../api/auth.ts";
import { AuthCard, tokenFromHash } from "./auth-card.tsx";

export function SsoLinkPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [token] = useState(tokenFromHash);
  const info = useQuery({ queryKey: ["sso-link", token], queryFn: () => ssoLinkInfo(token), retry: false });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const link = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { orgId } = await ssoLink(token, String(new FormData(event.currentTarget).get("password") ?? ""));
      setCredentials({ kind: "session" });
      client.clear();
      if (orgId) await navigate({ to: "/orgs/$org", params: { org: orgId }, replace: true });
      else await navigate({ to: "/", replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Link your account" footer={<Link to="/login">Back to sign-in</Link>}>
      {info.isPending ? (
        <Loading />
      ) : info.isError ? (
        <ErrorState error={info.error} title="This link cannot be used" />
      ) : (
        <form onSubmit={link} className="form" aria-label="Link your account">
          <p>
            <strong>{info.data.email}</strong> already has an Assay account. Enter its password to sign in
            with <span className="mono">{info.data.provider}</span> from now on.
          </p>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <FormError error={error} />
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? "Linking…" : "Link and sign in"}
          </Button>
        </form>
      )}
    </AuthCard>
  );
}
