/** The agent's version, reported in Hello and by `assay --version`. */
export const AGENT_VERSION = "0.1.0";
