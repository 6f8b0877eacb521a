/**
 * Stage configuration: one typed object per deployment stage (`dev`, `prod`). Everything a stack
 * varies on lives here, so the stacks stay environment-agnostic apart from the region, and synth
 * never looks anything up in an AWS account (no credentials needed, no `cdk.context.json`).
 *
 * The committed values use the placeholder zone `assay.example.com`: replace the `dns` block (and
 * `web.certificateArn` outside us-east-1) with your own before deploying (docs/deploy.md).
 */
import { RetentionDays } from "aws-cdk-lib/aws-logs";

export type StageName = "dev" | "prod";

export interface StageConfig {
  readonly stage: StageName;
  /** Deployment target. The account may stay undefined: stacks resolve it at deploy time. */
  readonly env: { readonly account?: string; readonly region: string };
  /**
   * The Route 53 public hosted zone the stage's names live in. Taken by id, not looked up, so
   * synth works offline. Names: `app.<zone>` (dashboard + API), `agents.<zone>` (ingress).
   */
  readonly dns: { readonly zoneName: string; readonly hostedZoneId: string };
  /** Stateful resources: protect them (termination + deletion protection, RETAIN) or not. */
  readonly protectData: boolean;
  readonly retention: {
    /** Days raw and compacted execution logs are kept in S3. */
    readonly logsDays: number;
    /** Days artifact bundles and unpacked files are kept in S3. */
    readonly artifactsDays: number;
    /** Days S3/CloudFront/NLB access logs are kept. */
    readonly accessLogsDays: number;
    /** CloudWatch Logs retention for functions, containers, API access logs, flow logs. */
    readonly cloudWatchLogs: RetentionDays;
  };
  readonly network: {
    /** NAT gateways (one per AZ for zonal resilience; one is enough for dev). */
    readonly natGateways: number;
  };
  readonly api: {
    readonly memoryMiB: number;
    /** HTTP API caps integrations at 30 s; keep the function below it. */
    readonly timeoutSeconds: number;
    /** Stage-wide throttling of the HTTP API (requests per second, burst). */
    readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
    /** Optional direct custom domain for the HTTP API (e.g. `api`), besides `app.<zone>/v1`. */
    readonly directSubdomain?: string;
    /**
     * The streaming function behind a Function URL (live log follows, artifact archives). A
     * follow holds one concurrent execution for up to 14 minutes, mostly waiting: small memory.
     */
    readonly stream: {
      readonly memoryMiB: number;
      /**
       * Caps concurrent follows so they cannot take the account's concurrency from the API and
       * the workers. A follow refused by the cap gets a 429 (the dashboard then stops following
       * instead of retrying: see docs/deploy.md), so it stays unset until that is handled.
       */
      readonly reservedConcurrency?: number;
    };
  };
  readonly workers: {
    readonly memoryMiB: number;
    readonly timeoutSeconds: number;
    /**
     * Reserved concurrency per queue worker: caps how hard a backlog hits DynamoDB and S3 and
     * keeps workers from starving the API of account concurrency. `undefined` = unreserved.
     */
    readonly reservedConcurrency?: number;
  };
  readonly ingress: {
    /** Fargate task size. Idle streams cost ~36-54 KB each plaintext (STACK.md). */
    readonly cpu: number;
    readonly memoryMiB: number;
    readonly minTasks: number;
    readonly maxTasks: number;
    /** Scale out above this many agent streams per task (hard ceiling ~19k). */
    readonly targetStreamsPerTask: number;
    readonly targetCpuPercent: number;
    /** Graceful drain on SIGTERM; the stop timeout derives from it. */
    readonly drainGraceSeconds: number;
    /**
     * How long the NLB keeps a deregistered task before ECS sends SIGTERM: short, only until no
     * new flows reach it (existing streams are not cut; the drain moves them).
     */
    readonly deregistrationDelaySeconds: number;
  };
  readonly nats: {
    /** Tasks in the NATS cluster; 0 disables NATS (the control plane stays correct). */
    readonly tasks: number;
  };
  readonly web: {
    /**
     * ACM certificate for `app.<zone>` in us-east-1 (CloudFront's region). Optional when the
     * stage itself is in us-east-1: the web stack then issues one by DNS validation.
     */
    readonly certificateArn?: string;
  };
  /**
   * Outgoing mail (sign-up verification, invitations) through SES. The API stack verifies the
   * domain (DKIM records in the zone) and may send only as it. Omitted: no mail is sent.
   */
  readonly mail?: {
    /** The SES domain identity, normally the zone itself. */
    readonly domain: string;
    /** The From header, an address in `domain`. */
    readonly from: string;
  };
  /**
   * Where the agent image is published (`npm run release:agent-image -- --registry <this>`):
   * the install commands shown for an environment name `<this>/assay/agent:<version>`. A
   * registry host[:port][/path], no scheme; replace the placeholder like the `dns` block.
   */
  readonly agentRegistry: string;
  readonly monitoring: {
    /** Addresses subscribed to the alarm topic (confirm the subscription mail once). */
    readonly alarmEmails: readonly string[];
    /**
     * The account's Lambda concurrent-executions quota in the region (Service Quotas); the
     * concurrency alarm fires at 80 % of it.
     */
    readonly accountConcurrencyQuota: number;
  };
}

const dev: StageConfig = {
  stage: "dev",
  env: { region: "us-east-1" },
  dns: { zoneName: "dev.assay.example.com", hostedZoneId: "Z0000000000000000DEV" },
  protectData: false,
  retention: { logsDays: 14, artifactsDays: 14, accessLogsDays: 30, cloudWatchLogs: RetentionDays.TWO_WEEKS },
  network: { natGateways: 1 },
  api: {
    memoryMiB: 1024,
    timeoutSeconds: 29,
    throttle: { rateLimit: 50, burstLimit: 100 },
    stream: { memoryMiB: 512 },
  },
  workers: { memoryMiB: 1024, timeoutSeconds: 120, reservedConcurrency: undefined },
  ingress: {
    cpu: 512,
    memoryMiB: 1024,
    minTasks: 1,
    maxTasks: 2,
    targetStreamsPerTask: 5_000,
    targetCpuPercent: 60,
    drainGraceSeconds: 60,
    deregistrationDelaySeconds: 15,
  },
  nats: { tasks: 1 },
  web: {},
  mail: { domain: "dev.assay.example.com", from: "Assay (dev) <no-reply@dev.assay.example.com>" },
  agentRegistry: "registry.dev.assay.example.com",
  monitoring: { alarmEmails: [], accountConcurrencyQuota: 1000 },
};

const prod: StageConfig = {
  stage: "prod",
  env: { region: "eu-west-1" },
  dns: { zoneName: "assay.example.com", hostedZoneId: "Z00000000000000PROD" },
  protectData: true,
  retention: {
    logsDays: 90,
    artifactsDays: 90,
    accessLogsDays: 365,
    cloudWatchLogs: RetentionDays.THREE_MONTHS,
  },
  network: { natGateways: 2 },
  api: {
    memoryMiB: 1536,
    timeoutSeconds: 29,
    throttle: { rateLimit: 500, burstLimit: 1000 },
    directSubdomain: "api",
    stream: { memoryMiB: 512 },
  },
  workers: { memoryMiB: 1536, timeoutSeconds: 300, reservedConcurrency: 20 },
  ingress: {
    cpu: 1024,
    memoryMiB: 2048,
    minTasks: 2,
    maxTasks: 20,
    targetStreamsPerTask: 10_000,
    targetCpuPercent: 60,
    drainGraceSeconds: 60,
    deregistrationDelaySeconds: 15,
  },
  nats: { tasks: 3 },
  web: {
    certificateArn: "arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000",
  },
  mail: { domain: "assay.example.com", from: "Assay <no-reply@assay.example.com>" },
  agentRegistry: "registry.assay.example.com",
  monitoring: { alarmEmails: ["oncall@assay.example.com"], accountConcurrencyQuota: 1000 },
};

export const stages: Readonly<Record<StageName, StageConfig>> = { dev, prod };

/** Returns the configuration of a stage, failing with the list of known stages otherwise. */
export function stageConfig(name: string): StageConfig {
  if (name === "dev" || name === "prod") return stages[name];
  throw new Error(`Unknown stage "${name}": use one of ${Object.keys(stages).join(", ")} (-c stage=NAME)`);
}

/** Public URLs derived from the zone, known at synth so no stack needs another's outputs. */
export function publicUrls(config: StageConfig): { app: string; api: string; ingress: string } {
  const app = `https://app.${config.dns.zoneName}`;
  return { app, api: app, ingress: `https://agents.${config.dns.zoneName}` };
}
