/** The emailed invitation link: the signed-in user joins the organization with the offered role. */
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useMe } from "../../../auth/session.ts";
import { FormError, Loading } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { acceptInvitation } from "../api/auth.ts";
import { AuthCard, tokenFromHash } from "./auth-card.tsx";

export function AcceptInvitationPage() {
  const [token] = useState(tokenFromHash);
  const me = useMe();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const accept = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { org } = await acceptInvitation(token);
      await client.invalidateQueries({ queryKey: ["me"] });
      await navigate({ to: "/orgs/$org", params: { org: org.id } });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Join an organization">
      {me.isPending ? (
        <Loading />
      ) : (
        <>
          <p>
            You are signed in as{" "}
            <strong>{me.data?.kind === "user" ? me.data.user.email : "an API token"}</strong>. The invitation
            must have been sent to this address.
          </p>
          {!token ? (
            <FormError error="This link has no invitation token. Open the link from the email again." />
          ) : null}
          <FormError error={error} />
          <Button variant="primary" onClick={accept} disabled={busy || !token}>
            {busy ? "Joining…" : "Accept invitation"}
          </Button>
        </>
      )}
    </AuthCard>
  );
}
