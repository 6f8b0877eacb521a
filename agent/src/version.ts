/** The agent's version, reported in Hello and by `assay --version`: the product's version. */
export { ASSAY_VERSION as AGENT_VERSION } from "@assay/shared/version";
