/**
 * The Kubernetes form of the install command: a Secret holding the agent token (and the CA of
 * a self-signed ingress) and a Deployment running the agent image with it. Built as objects and
 * printed as YAML, so quoting is the YAML library's job; typed and (install.test.ts) validated
 * with the models generated from the Kubernetes OpenAPI schemas (kubernetes-models).
 */
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { ISecret } from "kubernetes-models/v1/Secret";
import { Document } from "yaml";

export interface KubernetesTarget {
  name: string;
  orgId: string;
  envId: string;
  token: string;
  image: string;
  url: string;
  /** Share the node's network (an ingress on the node's loopback, local mode). */
  hostNetwork: boolean;
  /** PEM of the ingress CA and where the container sees it. */
  caPem?: string;
  caPath?: string;
}

const POD_NOTE = ` What the agent runs in this pod: workflows run with the process runtime, each step a
 process in the agent's container (an image a step names is reported as not honoured, as are
 resources and pod settings). For the Docker runtime, give the pod a Docker engine: mount a
 Docker socket at /var/run/docker.sock (a docker:dind sidecar, or the node's socket with a
 hostPath volume) and the agent uses it.`;

export function kubernetesManifest(t: KubernetesTarget): string {
  const ca = t.caPem && t.caPath ? { pem: t.caPem, path: t.caPath } : undefined;
  // Typed with the models generated from the Kubernetes OpenAPI schemas: an unknown or
  // misspelt field fails the type check (the schemas themselves allow extra fields).
  const secret: ISecret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: t.name, labels: { "app.kubernetes.io/name": "assay-agent", "assay.dev/env": t.envId } },
    type: "Opaque",
    stringData: { ASSAY_AGENT_TOKEN: t.token, ...(ca ? { "ca.pem": ca.pem } : {}) },
  };
  const labels = { "app.kubernetes.io/name": "assay-agent", "assay.dev/env": t.envId };
  const deployment: IDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: t.name, labels: { ...labels, "assay.dev/org": t.orgId } },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 60,
          ...(t.hostNetwork ? { hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" } : {}),
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
          containers: [
            {
              name: "agent",
              image: t.image,
              imagePullPolicy: "IfNotPresent",
              args: ["agent", "--url", t.url, ...(ca ? ["--ca-file", ca.path] : [])],
              env: [
                {
                  name: "ASSAY_AGENT_TOKEN",
                  valueFrom: { secretKeyRef: { name: t.name, key: "ASSAY_AGENT_TOKEN" } },
                },
              ],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              resources: { requests: { cpu: "250m", memory: "256Mi" } },
              ...(ca
                ? {
                    volumeMounts: [
                      { name: "ingress-ca", mountPath: ca.path, subPath: "ca.pem", readOnly: true },
                    ],
                  }
                : {}),
            },
          ],
          ...(ca
            ? {
                volumes: [
                  {
                    name: "ingress-ca",
                    secret: { secretName: t.name, items: [{ key: "ca.pem", path: "ca.pem" }] },
                  },
                ],
              }
            : {}),
        },
      },
    },
  };
  const secretDoc = new Document(secret);
  secretDoc.commentBefore = " The agent token (and the ingress CA) for the agent below.";
  const deploymentDoc = new Document(deployment);
  deploymentDoc.commentBefore = POD_NOTE;
  return `${secretDoc.toString({ lineWidth: 0 })}---\n${deploymentDoc.toString({ lineWidth: 0 })}`;
}
