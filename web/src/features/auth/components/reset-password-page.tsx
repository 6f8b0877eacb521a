/** Password reset: ask for a link by email, or (with the link's token) choose a new password. */
import { Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { FormError } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { requestPasswordReset, resetPassword } from "../api/auth.ts";
import { AuthCard, tokenFromHash } from "./auth-card.tsx";

export function ResetPasswordPage() {
  const [token] = useState(tokenFromHash);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      if (token) {
        await resetPassword(token, String(form.get("password") ?? ""));
        setDone("Your password was changed. Sign in with the new one.");
      } else {
        setDone((await requestPasswordReset(String(form.get("email") ?? ""))).message);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard
      title={token ? "Choose a new password" : "Reset your password"}
      footer={<Link to="/login">Back to sign in</Link>}
    >
      {done ? (
        <p role="status">{done}</p>
      ) : (
        <form onSubmit={submit} className="form" aria-label={token ? "New password" : "Reset password"}>
          {token ? (
            <label>
              New password
              <input name="password" type="password" autoComplete="new-password" required minLength={8} />
            </label>
          ) : (
            <label>
              Email
              <input name="email" type="email" autoComplete="email" required />
            </label>
          )}
          <FormError error={error} />
          <Button type="submit" variant="primary" disabled={busy}>
            {token ? "Change password" : "Email me a link"}
          </Button>
        </form>
      )}
    </AuthCard>
  );
}
