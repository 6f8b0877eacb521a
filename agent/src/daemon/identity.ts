/**
 * The agent's identity, issued by the control plane (AgentGateway.Register) the first time the
 * agent starts with an empty state directory, and kept in `<stateDir>/identity.json`: the agent
 * id, its secret, the environment it was issued in, and the fingerprint of the host it was
 * issued on. A state directory copied to another host (a cloned VM or volume) no longer
 * matches that host's fingerprint, so the copy registers as a new agent instead of sharing the
 * id. A copy run on the same host is caught by the control plane: it refuses a second process
 * holding an identity that one process already holds (docs/protocol.md, "Agent identity").
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir, hostname } from "node:os";
import { join } from "node:path";

/** `~/.assay/agent`, the default state directory. */
export const defaultStateDir = (): string => join(homedir(), ".assay", "agent");

export interface AgentIdentity {
  agentId: string;
  agentSecret: string;
  orgId: string;
  envId: string;
  /** `hostFingerprint()` of the host the identity was issued on. */
  host: string;
}

const FILE = "identity.json";

/**
 * A stable fingerprint of this host: the systemd/D-Bus machine id when there is one (stable
 * across reboots and renames), else the host name (a container's id by default).
 */
export const hostFingerprint = (): string => {
  let machineId = "";
  for (const file of ["/etc/machine-id", "/var/lib/dbus/machine-id"]) {
    try {
      machineId = readFileSync(file, "utf8").trim();
      if (machineId) break;
    } catch {
      // not there: try the next
    }
  }
  return createHash("sha256")
    .update(machineId ? `machine:${machineId}` : `host:${hostname()}`)
    .digest("hex")
    .slice(0, 32);
};

/**
 * Reads the identity kept in `stateDir`. `note` says why there is none to use: issued on another
 * host (the directory was copied), or unreadable.
 */
export const loadIdentity = async (
  stateDir: string,
  host: string,
): Promise<{ identity?: AgentIdentity; note?: string }> => {
  const text = await readFile(join(stateDir, FILE), "utf8").catch(() => undefined);
  if (text === undefined) return {};
  let parsed: Partial<AgentIdentity>;
  try {
    parsed = JSON.parse(text) as Partial<AgentIdentity>;
  } catch {
    return { note: `${join(stateDir, FILE)} is not valid JSON: registering as a new agent` };
  }
  const { agentId, agentSecret, orgId, envId } = parsed;
  if (![agentId, agentSecret, orgId, envId, parsed.host].every((v) => typeof v === "string" && v !== "")) {
    return { note: `${join(stateDir, FILE)} is incomplete: registering as a new agent` };
  }
  if (parsed.host !== host) {
    return {
      note: `the identity in ${stateDir} (agent ${agentId}) was issued on another host (the state directory was copied): registering this agent as a new one`,
    };
  }
  return { identity: parsed as AgentIdentity };
};

/** Writes the identity (0600, write-then-rename: a crash never leaves half a file). */
export const saveIdentity = async (stateDir: string, identity: AgentIdentity): Promise<void> => {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, FILE);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
  // Ids the agent once chose itself are not identities any more.
  await rm(join(stateDir, "agent-id"), { force: true });
};

/** Forgets the identity (the control plane no longer knows it): the next start registers. */
export const forgetIdentity = (stateDir: string): Promise<void> => rm(join(stateDir, FILE), { force: true });

/** A random id for this process start (Hello.instance_id). */
export const newInstanceId = (): string => `i_${randomBytes(12).toString("hex")}`;
