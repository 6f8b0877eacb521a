/** Create an account: the API emails a verification link (local mode: see the outbox). */
import { Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { FormError } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { signUp } from "../api/auth.ts";
import { AuthCard } from "./auth-card.tsx";

export function SignUpPage() {
  const [sent, setSent] = useState<SignUpSent>();
  if (sent) return <CheckYourEmail sent={sent} />;
  return (
    <AuthCard
      title="Create your account"
      footer={
        <>
          Already have an account? <Link to="/login">Sign in</Link>
        </>
      }
    >
      <SignUpForm onSent={setSent} />
    </AuthCard>
  );
}

export interface SignUpSent {
  email: string;
  message: string;
}

export function CheckYourEmail({ sent }: { sent: SignUpSent }) {
  return (
    <AuthCard title="Check your email" footer={<Link to="/login">Back to sign in</Link>}>
      <p role="status">{sent.message}</p>
      <p className="muted">
        We sent a link to <strong>{sent.email}</strong>. Open it to verify your address and finish signing up.
      </p>
    </AuthCard>
  );
}

/**
 * The sign-up form. From an invitation link the address is the invited one (fixed) and the
 * invitation travels with the sign-up, so verifying joins that organization.
 */
export function SignUpForm({
  onSent,
  invitation,
}: {
  onSent: (sent: SignUpSent) => void;
  invitation?: { token: string; email: string };
}) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = invitation?.email ?? String(form.get("email") ?? "");
    const name = String(form.get("name") ?? "").trim();
    setBusy(true);
    setError(undefined);
    try {
      const { message } = await signUp({
        email,
        password: String(form.get("password") ?? ""),
        ...(name ? { name } : {}),
        ...(invitation ? { invitation: invitation.token } : {}),
      });
      onSent({ email, message });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="form" aria-label="Sign up">
      <label>
        Name
        <input name="name" autoComplete="name" />
      </label>
      <label>
        Email
        <input
          name="email"
          type="email"
          autoComplete="email"
          required
          {...(invitation ? { value: invitation.email, readOnly: true } : {})}
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          aria-describedby="password-hint"
        />
        <span className="hint" id="password-hint">
          At least 8 characters; longer passphrases are better.
        </span>
      </label>
      <FormError error={error} />
      <Button type="submit" variant="primary" disabled={busy}>
        {busy ? "Creating…" : invitation ? "Create account and join" : "Create account"}
      </Button>
    </form>
  );
}
