/**
 * The emailed invitation link. It first says what it is (organization, inviter, role). Signed
 * in, the user accepts and lands in the organization; signed out, they sign up from it (the
 * address is the invited one, and verifying joins that organization without creating one of
 * their own) or sign in and come back here.
 */
import type { InvitationPreview } from "@assay/shared";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useRouteContext } from "@tanstack/react-router";
import { useState } from "react";
import { useMe } from "../../../auth/session.ts";
import { ErrorState, FormError, Loading } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { acceptInvitation, previewInvitation } from "../api/auth.ts";
import { AuthCard, tokenFromHash } from "./auth-card.tsx";
import { CheckYourEmail, SignUpForm, type SignUpSent } from "./sign-up-page.tsx";

export function AcceptInvitationPage() {
  const { signedIn } = useRouteContext({ from: "/invitations" });
  const [token] = useState(tokenFromHash);
  const preview = useQuery({
    queryKey: ["invitation-preview", token],
    queryFn: () => previewInvitation(token),
    enabled: token !== "",
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const [sent, setSent] = useState<SignUpSent>();
  if (sent) return <CheckYourEmail sent={sent} />;

  const title = preview.data ? `Join ${preview.data.orgName}` : "Join an organization";
  return (
    <AuthCard
      title={title}
      footer={
        signedIn ? null : (
          <>
            Already have an account?{" "}
            <Link to="/login" search={{ redirect: `/invitations#token=${token}` }}>
              Sign in
            </Link>{" "}
            and open this link again.
          </>
        )
      }
    >
      {!token ? (
        <FormError error="This link has no invitation token. Open the link from the email again." />
      ) : preview.isPending ? (
        <Loading label="Reading the invitation" />
      ) : preview.isError ? (
        <ErrorState error={preview.error} title="This invitation cannot be used" />
      ) : (
        <>
          <InvitationSummary invitation={preview.data} />
          {signedIn ? (
            <AcceptAsSignedIn token={token} invitation={preview.data} />
          ) : (
            <SignUpForm onSent={setSent} invitation={{ token, email: preview.data.email }} />
          )}
        </>
      )}
    </AuthCard>
  );
}

function InvitationSummary({ invitation }: { invitation: InvitationPreview }) {
  return (
    <p className="invitation-summary">
      <strong>{invitation.invitedBy}</strong> invited <strong>{invitation.email}</strong> to the organization{" "}
      <strong>{invitation.orgName}</strong> as <strong>{invitation.role}</strong>.
    </p>
  );
}

function AcceptAsSignedIn({ token, invitation }: { token: string; invitation: InvitationPreview }) {
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

  if (me.isPending) return <Loading />;
  const email = me.data?.kind === "user" ? me.data.user.email : undefined;
  return (
    <>
      <p>
        You are signed in as <strong>{email ?? "an API token"}</strong>.
        {email && email !== invitation.email
          ? " The invitation was sent to another address: sign in with that one to accept it."
          : null}
      </p>
      <FormError error={error} />
      <Button variant="primary" onClick={accept} disabled={busy}>
        {busy ? "Joining…" : "Accept invitation"}
      </Button>
    </>
  );
}
