/**
 * `assay agent`: the daemon in the foreground. Stops cleanly on SIGTERM/SIGINT (a second signal
 * exits at once), exits non-zero when the control plane refuses our protocol version.
 */
import type { Command } from "commander";
import { Option } from "commander";
import type { AgentLogger } from "../../daemon/options.ts";
import { CliError, CliExit, type CliIo, colors } from "../io.ts";

interface AgentFlags {
  url?: string;
  token?: string;
  caFile?: string;
  insecure?: boolean;
  stateDir?: string;
  workDir?: string;
  concurrency: string;
  maxSpoolMb: string;
  onStop: "abort" | "finish";
  runtime: "auto" | "docker" | "process";
  defaultImage?: string;
  busybox?: string;
  allowPrivileged?: boolean;
  allowHostPath?: boolean;
  pullSecretsDir?: string;
  label: string[];
}

const LABEL = /^([A-Za-z0-9][A-Za-z0-9._/-]{0,62})=([A-Za-z0-9._-]{0,63})$/;

/** `--label k=v` flags as labels; a bad one is a usage error naming it. */
const parseLabels = (flags: readonly string[]): Record<string, string> => {
  const labels: Record<string, string> = {};
  for (const flag of flags) {
    const m = LABEL.exec(flag);
    if (m === null)
      throw new CliError(`--label ${flag}: must be key=value (letters, digits, . _ - and / in keys)`);
    labels[m[1] as string] = m[2] as string;
  }
  return labels;
};

export const registerAgentCommand = (program: Command, io: CliIo): void => {
  program
    .command("agent")
    .description("run the agent: connect to the control plane and run the workflows it sends")
    .option(
      "--url <url>",
      "control plane agent endpoint, e.g. https://agents.example.com:443 (env ASSAY_AGENT_URL)",
    )
    .option("--token <token>", "agent token (env ASSAY_AGENT_TOKEN)")
    .option("--ca-file <file>", "PEM CA to trust (a self-signed control plane)")
    .option("--insecure", "skip TLS certificate verification (local use only)")
    .option("--state-dir <dir>", "where the agent keeps its id (default ~/.assay/agent)")
    .option("--work-dir <dir>", "parent of execution workspaces (default a temp dir)")
    .option("--concurrency <n>", "executions at once", "4")
    .option(
      "--label <key=value>",
      "a label workflows target with spec.execution.target (repeatable)",
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option(
      "--max-spool-mb <n>",
      "unacknowledged log kept on disk in the state dir during outages, in MiB",
      "1024",
    )
    .addOption(
      new Option("--on-stop <policy>", "on SIGTERM: finish running executions (bounded) or abort them")
        .choices(["finish", "abort"])
        .default("finish"),
    )
    .addOption(
      new Option("--runtime <runtime>", "where steps run: Docker containers, host processes, or auto")
        .choices(["auto", "docker", "process"])
        .default("auto"),
    )
    .option(
      "--default-image <image>",
      "Docker runtime: image of steps whose workflow names none (default busybox:stable)",
    )
    .option(
      "--busybox <path>",
      "Docker runtime: static busybox bound into containers for shell steps (default /bin/busybox)",
    )
    .option("--allow-privileged", "Docker runtime: allow securityContext.privileged")
    .option("--allow-host-path", "Docker runtime: let workflows mount hostPath pod volumes from this host")
    .option(
      "--pull-secrets-dir <dir>",
      "Docker runtime: directory of <secret name>.json Docker config files for pod.imagePullSecrets",
    )
    .action(async (flags: AgentFlags) => {
      const url = flags.url ?? io.env.ASSAY_AGENT_URL;
      const token = flags.token ?? io.env.ASSAY_AGENT_TOKEN;
      if (!url)
        throw new CliError("--url (or ASSAY_AGENT_URL) is required: the control plane's agent endpoint");
      if (!token)
        throw new CliError("--token (or ASSAY_AGENT_TOKEN) is required: an agent token (asy_agent_...)");
      const concurrency = Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new CliError("--concurrency must be a positive integer");
      const labels = parseLabels(flags.label);
      const maxSpoolMb = Number(flags.maxSpoolMb);
      if (!Number.isInteger(maxSpoolMb) || maxSpoolMb < 0)
        throw new CliError("--max-spool-mb must be a whole number of MiB (0 turns the spool off)");
      const c = colors(io);
      const stamp = () => c.dim(new Date(io.clock.now()).toISOString());
      const logger: AgentLogger = {
        info: (m) => io.stderr.write(`${stamp()} ${m}\n`),
        warn: (m) => io.stderr.write(`${stamp()} ${c.yellow("warning")} ${m}\n`),
        error: (m) => io.stderr.write(`${stamp()} ${c.red("error")} ${m}\n`),
      };
      // Imported here so the user commands never load gRPC.
      const { startAgent } = await import("../../daemon/agent.ts");
      let agent: Awaited<ReturnType<typeof startAgent>>;
      try {
        agent = await startAgent({
          url,
          token,
          caFile: flags.caFile,
          insecure: flags.insecure,
          stateDir: flags.stateDir,
          workDir: flags.workDir,
          concurrency,
          labels,
          maxSpoolBytes: maxSpoolMb * 1024 * 1024,
          onStop: flags.onStop,
          runtime: flags.runtime,
          docker: {
            defaultImage: flags.defaultImage,
            busyboxPath: flags.busybox,
            allowPrivileged: flags.allowPrivileged,
            allowHostPaths: flags.allowHostPath,
            pullSecretsDir: flags.pullSecretsDir,
          },
          logger,
          clock: io.clock,
        });
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      logger.info(`agent ${agent.agentId || "(not registered yet)"} starting (concurrency ${concurrency})`);
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals++;
        if (signals > 1) process.exit(130);
        logger.info(
          `${signal}: stopping (${flags.onStop === "abort" ? "aborting" : "finishing"} running executions; send again to exit now)`,
        );
        void agent.stop(`agent received ${signal}`);
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
      const outcome = await agent.stopped;
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      if (outcome.error) throw new CliError(outcome.error.message);
      logger.info("agent stopped");
      throw new CliExit(0);
    });
};
