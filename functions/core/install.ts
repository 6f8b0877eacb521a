/**
 * The commands that start an agent for one environment, ready to copy: npx of the tarball this
 * control plane serves, a container, and a Kubernetes Secret plus Deployment. Each works as
 * pasted: the token travels in the environment (ASSAY_AGENT_TOKEN, never in argv where `ps`
 * shows it), a self-signed ingress comes with its CA, and a container pointed at a loopback
 * ingress shares the host's network. They carry the real token only right after it was created
 * (the only moment it is known); otherwise a placeholder to replace.
 */
import { ASSAY_VERSION, agentImageRef } from "@assay/shared";
import { kubernetesManifest } from "./install-kubernetes.ts";

/** Where the control plane serves the agent's npm tarball, relative to its web origin. */
export const AGENT_TARBALL_PATH = `/agent/assay-agent-${ASSAY_VERSION}.tgz`;
/** The agent image `npm run build:agent-image` builds (and a deployment may push elsewhere). */
export const DEFAULT_AGENT_IMAGE = agentImageRef();

export interface InstallSettings {
  /** Public URL agents dial (the ingress behind its load balancer). */
  ingressUrl: string;
  /** URL of the agent's npm tarball (the control plane's web origin + AGENT_TARBALL_PATH). */
  agentTarballUrl: string;
  /** Container image of the agent. */
  agentImage: string;
  /**
   * The CA of an ingress certificate no public CA signed (local mode's self-signed one): its
   * path on the machine the control plane runs on, and its PEM for the Kubernetes Secret.
   */
  ingressCa?: { file: string; pem: string } | undefined;
}

export const TOKEN_PLACEHOLDER = "<AGENT_TOKEN>";
/** Where the container and the pod see the ingress CA. */
const CA_IN_CONTAINER = "/etc/assay/ca.pem";

export interface InstallCommands {
  ingressUrl: string;
  /** The agent's npm tarball (also for `npm install -g`). */
  agentTarballUrl: string;
  /** Whether the commands contain the real token (shown once) or TOKEN_PLACEHOLDER. */
  tokenIncluded: boolean;
  npx: string;
  docker: string;
  kubernetes: string;
}

/** True for an ingress on this machine's loopback, which a container reaches only on the host network. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || host.startsWith("127.");
}

/** Single-quotes a value for POSIX shells. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function installCommands(
  settings: InstallSettings,
  target: { orgId: string; envId: string; token?: string },
): InstallCommands {
  const token = target.token ?? TOKEN_PLACEHOLDER;
  const url = settings.ingressUrl;
  const name = `assay-agent-${target.envId}`;
  const ca = settings.ingressCa;
  const loopback = isLoopbackUrl(url);
  const tokenEnv = `ASSAY_AGENT_TOKEN=${shellQuote(token)}`;
  const npx = [
    tokenEnv,
    `npx --yes ${settings.agentTarballUrl} agent --url ${url}`,
    ...(ca ? [`--ca-file ${shellQuote(ca.file)}`] : []),
  ].join(" ");
  const docker = [
    `${tokenEnv} docker run -d --name ${name} --restart unless-stopped`,
    ...(loopback ? ["--network host"] : []),
    "-e ASSAY_AGENT_TOKEN",
    ...(ca ? [`-v ${shellQuote(ca.file)}:${CA_IN_CONTAINER}:ro`] : []),
    // The Docker runtime: the host's engine, reachable by the image's non-root user.
    "-v /var/run/docker.sock:/var/run/docker.sock --group-add $(stat -c %g /var/run/docker.sock)",
    `${settings.agentImage} agent --url ${url}`,
    ...(ca ? [`--ca-file ${CA_IN_CONTAINER}`] : []),
  ].join(" ");
  return {
    ingressUrl: url,
    agentTarballUrl: settings.agentTarballUrl,
    tokenIncluded: target.token !== undefined,
    npx,
    docker,
    kubernetes: kubernetesManifest({
      name,
      orgId: target.orgId,
      envId: target.envId,
      token,
      image: settings.agentImage,
      url,
      hostNetwork: loopback,
      ...(ca ? { caPem: ca.pem, caPath: CA_IN_CONTAINER } : {}),
    }),
  };
}
