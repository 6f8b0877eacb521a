/**
 * The agent daemon as a library: `startAgent(options)` connects to the control plane and runs
 * what it is sent until `stop()`. Used by `assay agent`, by the local control plane and by tests.
 */
export { type AgentHandle, CAPABILITIES, consoleLogger, startAgent } from "./agent.ts";
export { type Backoff, createBackoff } from "./backoff.ts";
export { type Clock, type Random, systemClock } from "./clock.ts";
export type { LinkState } from "./link.ts";
export type { AgentLogger, AgentOptions } from "./options.ts";
