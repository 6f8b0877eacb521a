// The oldest Node.js the agent runs on, checked before anything else loads: the bundle uses
// APIs of Node 22 (fs.glob among them), which older versions fail on only once a run starts.
// Plain JavaScript, so it parses on any Node.
export const MIN_NODE_MAJOR = 22;

/** Why this Node cannot run assay (undefined when it can). */
export const nodeVersionProblem = (version) => {
  const major = Number(String(version).split(".")[0]);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined;
  return `assay needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ${version}. Install a newer Node.js, or start the agent with the Docker install command.`;
};
