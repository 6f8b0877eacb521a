/**
 * The commands that start an agent for one environment, ready to copy: npx, a container, and a
 * Kubernetes Secret plus Deployment. They carry the real token only right after it was created
 * (the only moment it is known); otherwise a placeholder to replace. Container and Kubernetes
 * pass the token through the environment (ASSAY_AGENT_TOKEN), out of process listings.
 */

export interface InstallSettings {
  /** Public URL agents dial (the ingress behind its load balancer). */
  ingressUrl: string;
  /** npm package with the `assay` CLI. */
  agentPackage: string;
  /** Container image of the agent. */
  agentImage: string;
}

export const TOKEN_PLACEHOLDER = "<AGENT_TOKEN>";

export interface InstallCommands {
  ingressUrl: string;
  /** Whether the commands contain the real token (shown once) or TOKEN_PLACEHOLDER. */
  tokenIncluded: boolean;
  npx: string;
  docker: string;
  kubernetes: string;
}

export function installCommands(
  settings: InstallSettings,
  target: { orgId: string; envId: string; token?: string },
): InstallCommands {
  const token = target.token ?? TOKEN_PLACEHOLDER;
  const url = settings.ingressUrl;
  const name = `assay-agent-${target.envId}`;
  const kubernetes = `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
type: Opaque
stringData:
  ASSAY_AGENT_TOKEN: "${token}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: assay-agent
    assay.dev/org: "${target.orgId}"
    assay.dev/env: "${target.envId}"
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: assay-agent
      assay.dev/env: "${target.envId}"
  template:
    metadata:
      labels:
        app.kubernetes.io/name: assay-agent
        assay.dev/env: "${target.envId}"
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: agent
          image: ${settings.agentImage}
          args: ["agent", "--url", "${url}"]
          envFrom:
            - secretRef:
                name: ${name}
          resources:
            requests: { cpu: 250m, memory: 256Mi }
`;
  return {
    ingressUrl: url,
    tokenIncluded: target.token !== undefined,
    npx: `npx --yes ${settings.agentPackage} agent --url ${url} --token ${token}`,
    docker: `docker run -d --name ${name} --restart unless-stopped -e ASSAY_AGENT_TOKEN=${token} ${settings.agentImage} agent --url ${url}`,
    kubernetes,
  };
}
