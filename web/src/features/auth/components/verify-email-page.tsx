/**
 * The emailed verification link: creates the account and a session, then lands in the
 * organization it was invited to, or onboarding in its own.
 */
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { setCredentials } from "../../../auth/credentials.ts";
import { ErrorState, Loading } from "../../../components/states.tsx";
import { verifyEmail } from "../api/auth.ts";
import { AuthCard, tokenFromHash } from "./auth-card.tsx";

export function VerifyEmailPage() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [error, setError] = useState<unknown>();
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = tokenFromHash();
    if (!token) {
      setError(new Error("This link has no verification token. Open the link from the email again."));
      return;
    }
    verifyEmail(token).then(({ org, joined }) => {
      setCredentials({ kind: "session" });
      client.clear();
      void navigate({
        to: joined ? "/orgs/$org" : "/orgs/$org/onboarding",
        params: { org: org.id },
        replace: true,
      });
    }, setError);
  }, [navigate, client]);

  return (
    <AuthCard title="Verifying your email" footer={<Link to="/login">Sign in</Link>}>
      {error ? (
        <ErrorState error={error} title="Could not verify this link" />
      ) : (
        <Loading label="Verifying" />
      )}
    </AuthCard>
  );
}
