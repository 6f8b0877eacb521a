/**
 * What an agent says when the control plane no longer speaks its protocol version: which
 * versions there are, and the command that installs the control plane's own agent.
 */
import { PROTOCOL_VERSION, type Refusal } from "@assay/shared/proto";

const versions = (min: number, max: number) => (min === max ? `${min}` : `${min} to ${max}`);

/** The message the agent stops with (the command line prints it and exits non-zero). */
export const upgradeMessage = (refusal: Refusal, agentVersion: string): string => {
  const supported = versions(refusal.minProtocolVersion, refusal.maxProtocolVersion);
  const tooOld = PROTOCOL_VERSION < refusal.minProtocolVersion;
  return [
    `this agent (version ${agentVersion}, protocol ${PROTOCOL_VERSION}) is ${tooOld ? "too old for" : "newer than"} the control plane, which supports agent protocol ${supported}.`,
    `${tooOld ? "Upgrade" : "Install"} the agent the control plane serves, and start it again:`,
    `  ${refusal.upgradeCommand}`,
  ].join("\n");
};
