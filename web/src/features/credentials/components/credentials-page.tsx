/**
 * Credentials pages: the organization's (`/orgs/$org/credentials`) and one environment's
 * (`/orgs/$org/envs/$env/credentials`), which also lists the organization's it inherits. At run
 * time an environment's credential wins over the organization's of the same name.
 */
import { useParams } from "@tanstack/react-router";
import { PageHeader } from "../../../components/page-header.tsx";
import { CredentialsPanel } from "./credentials-panel.tsx";

const HINT =
  'Reference them as {{ credential("name") }}, {{ secret("name", "key") }} (credential name.key) or Kubernetes secretKeyRef / secretRef (configMapKeyRef / configMapRef for variables).';

export function OrgCredentialsPage() {
  const { org } = useParams({ from: "/orgs/$org/credentials" });
  return (
    <>
      <PageHeader title="Credentials" />
      <p className="muted">{HINT}</p>
      <CredentialsPanel scope={{ org }} title="Organization credentials" />
    </>
  );
}

export function EnvCredentialsPage() {
  const { org, env } = useParams({ from: "/orgs/$org/envs/$env/credentials" });
  return (
    <>
      <PageHeader title={`Credentials of ${env}`} />
      <p className="muted">{HINT} This environment's win over the organization's.</p>
      <CredentialsPanel scope={{ org, env }} title="Environment credentials" />
      <CredentialsPanel scope={{ org }} title="Organization credentials" />
    </>
  );
}
