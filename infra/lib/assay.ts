/**
 * The whole control plane for one stage: seven stacks, wired by typed references (CDK turns them
 * into exports and deploy order). Used by bin/app.ts and by the tests, so both synthesize the
 * same thing.
 *
 *   Data ─┬─ Network ─┬─ Api ── Web
 *         │           ├─ Workers
 *         │           └─ Ingress
 *         └─────────────────────── Monitoring (watches Data, Network, Api, Workers, Ingress)
 */
import type { App } from "aws-cdk-lib";
import type { StageConfig } from "./config/stages.ts";
import { ApiStack } from "./stacks/api-stack.ts";
import { DataStack } from "./stacks/data-stack.ts";
import { IngressStack } from "./stacks/ingress-stack.ts";
import { MonitoringStack } from "./stacks/monitoring-stack.ts";
import { NetworkStack } from "./stacks/network-stack.ts";
import { WebStack } from "./stacks/web-stack.ts";
import { WorkersStack } from "./stacks/workers-stack.ts";

export interface AssayStacks {
  readonly data: DataStack;
  readonly network: NetworkStack;
  readonly api: ApiStack;
  readonly workers: WorkersStack;
  readonly ingress: IngressStack;
  readonly web: WebStack;
  readonly monitoring: MonitoringStack;
}

export interface BuildOptions {
  /** The built dashboard to upload (web/dist), when it exists. */
  readonly webAssetsDir?: string;
  /** The packed agent (agent/dist-package, `npm run pack:tarball -w agent`), when it exists. */
  readonly agentPackageDir?: string;
}

export function buildAssay(app: App, config: StageConfig, options: BuildOptions = {}): AssayStacks {
  const prefix = `Assay-${config.stage}`;
  const common = {
    config,
    env: config.env,
    tags: { project: "assay", stage: config.stage },
  };
  const data = new DataStack(app, `${prefix}-Data`, {
    ...common,
    description: "Assay: table, buckets, queues",
  });
  const network = new NetworkStack(app, `${prefix}-Network`, {
    ...common,
    description: "Assay: VPC, ECS cluster, NATS",
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    ...common,
    data,
    network,
    description: "Assay: HTTP API + Lambda, streaming Function URL",
  });
  const workers = new WorkersStack(app, `${prefix}-Workers`, {
    ...common,
    data,
    network,
    description: "Assay: queue workers, cron dispatcher, reaper",
  });
  const ingress = new IngressStack(app, `${prefix}-Ingress`, {
    ...common,
    data,
    network,
    description: "Assay: agent ingress (Fargate behind a TLS NLB)",
  });
  const web = new WebStack(app, `${prefix}-Web`, {
    ...common,
    data,
    api,
    assetsDir: options.webAssetsDir,
    agentPackageDir: options.agentPackageDir,
    description: "Assay: dashboard on S3 + CloudFront, API under /v1",
  });
  const monitoring = new MonitoringStack(app, `${prefix}-Monitoring`, {
    ...common,
    data,
    network,
    api,
    workers,
    ingress,
    description: "Assay: alarms and dashboard",
  });
  return { data, network, api, workers, ingress, web, monitoring };
}
