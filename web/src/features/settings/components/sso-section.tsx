/**
 * Single sign-on settings: the OpenID Connect provider (issuer, client id, a write-only secret),
 * the email domains that may join, the default role, groups mapped to roles (one `group = role`
 * per line) and whether members must use SSO. Admins and owners only; others see why not.
 */
import type { PutSsoSettingsBody, SsoGroupRole, SsoRole, SsoSettingsView } from "@assay/shared";
import type { FormEvent } from "react";
import { ErrorState, FormError, Loading } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { useSaveSso, useSsoSettings } from "../api/sso.ts";

const SSO_ROLES: SsoRole[] = ["admin", "member", "viewer"];
const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean);

/** `group = role` lines to mapping entries (bad lines are sent as they are, for the API to name). */
const parseMapping = (text: string): SsoGroupRole[] =>
  lines(text).map((line) => {
    const at = line.lastIndexOf("=");
    return { group: line.slice(0, at).trim(), role: line.slice(at + 1).trim() as SsoRole };
  });

export function SsoSection({ org }: { org: string }) {
  const settings = useSsoSettings(org);
  const save = useSaveSso(org);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const secret = String(f.get("clientSecret") ?? "");
    const body: Partial<PutSsoSettingsBody> = {
      enabled: f.get("enabled") === "on",
      issuer: String(f.get("issuer") ?? "").trim(),
      clientId: String(f.get("clientId") ?? "").trim(),
      ...(secret ? { clientSecret: secret } : {}),
      domains: lines(String(f.get("domains") ?? "")),
      defaultRole: String(f.get("defaultRole") ?? "member") as SsoRole,
      extraScopes: lines(String(f.get("extraScopes") ?? "").replaceAll(" ", ",")),
      groupsClaim: String(f.get("groupsClaim") ?? "groups").trim() || "groups",
      groupRoles: parseMapping(String(f.get("groupRoles") ?? "")),
      required: f.get("required") === "on",
    };
    save.mutate(body);
  };
  return (
    <section className="panel" aria-labelledby="sso-title">
      <h2 id="sso-title" className="panel-title">
        Single sign-on
      </h2>
      {settings.isPending ? (
        <Loading label="Loading the SSO settings" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} title="Could not load the SSO settings" />
      ) : (
        <SsoForm
          current={settings.data}
          onSubmit={submit}
          busy={save.isPending}
          error={save.error}
          saved={save.isSuccess}
        />
      )}
    </section>
  );
}

function SsoForm(props: {
  current: SsoSettingsView;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  busy: boolean;
  error: unknown;
  saved: boolean;
}) {
  const c = props.current.configured ? props.current : undefined;
  return (
    <form
      className="form"
      onSubmit={props.onSubmit}
      aria-label="Single sign-on settings"
      key={c?.updatedAt ?? "new"}
    >
      <p className="muted small">
        Register this redirect URI at your identity provider: <code>{props.current.redirectUri}</code>. See
        docs/sso.md for Okta, Entra ID, Google Workspace and Dex.
      </p>
      <label className="checkbox">
        <input type="checkbox" name="enabled" defaultChecked={c?.enabled ?? true} /> Enabled
      </label>
      <label>
        Issuer URL
        <input
          name="issuer"
          type="url"
          required
          defaultValue={c?.issuer}
          placeholder="https://login.example.com"
        />
      </label>
      <label>
        Client id
        <input name="clientId" required defaultValue={c?.clientId} autoComplete="off" />
      </label>
      <label>
        Client secret{" "}
        {c?.hasClientSecret ? <span className="muted small">(stored; leave empty to keep it)</span> : null}
        <input
          name="clientSecret"
          type="password"
          autoComplete="new-password"
          required={!c?.hasClientSecret}
        />
      </label>
      <label>
        Allowed email domains (one per line)
        <textarea name="domains" rows={2} defaultValue={c?.domains.join("\n")} placeholder="example.com" />
      </label>
      <label>
        Default role of members who join by signing in
        <select name="defaultRole" defaultValue={c?.defaultRole ?? "member"}>
          {SSO_ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label>
        Extra scopes (e.g. groups)
        <input name="extraScopes" defaultValue={c?.extraScopes.join(" ")} />
      </label>
      <label>
        Groups claim
        <input name="groupsClaim" defaultValue={c?.groupsClaim ?? "groups"} />
      </label>
      <label>
        Groups to roles (one <code>group = role</code> per line; the highest role wins)
        <textarea
          name="groupRoles"
          rows={3}
          defaultValue={c?.groupRoles.map((m) => `${m.group} = ${m.role}`).join("\n")}
          placeholder="platform-admins = admin"
        />
      </label>
      <label className="checkbox">
        <input type="checkbox" name="required" defaultChecked={c?.required ?? false} /> Require SSO (members
        cannot use passwords; owners keep theirs for emergencies)
      </label>
      <FormError error={props.error} />
      {props.saved ? <p role="status">Saved.</p> : null}
      <Button type="submit" variant="primary" disabled={props.busy}>
        Save SSO settings
      </Button>
    </form>
  );
}
