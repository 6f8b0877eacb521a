/**
 * Testkube's step outputs. A step with an id (its `id`, or one derived from its `name`:
 * lowercased, every run of other characters one `_`) gets a results directory,
 * `{{ step.results }}` = `/data/.steps/<id>`, made before it runs, and an empty
 * `/testkube/outputs` directory; after its process ended, every regular file there of at most
 * 4096 bytes becomes `{{ step.<id>.outputs.<file name> }}` (its text, trimmed) for the steps
 * that start later; a larger file is skipped with a warning. `{{ step.<id>.results }}` is that
 * step's results directory. In the process runtime `/testkube/outputs` is
 * `<workspace>/.testkube/outputs` (workspace.ts maps the path in commands); container runtimes
 * bind that directory there.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fromJs, type Value } from "@assay/shared/workflow/values";
import { emptyDir, ensureDir, listDir } from "./step-dirs.ts";
import type { RunnerStep } from "./types.ts";

/** Where a step writes its outputs, in its unit. */
export const OUTPUTS_PATH = "/testkube/outputs";
/** The outputs directory inside a workspace. */
export const OUTPUTS_IN_WORKSPACE = ".testkube/outputs";
/** Largest output file read (bytes); larger ones belong in `step.results`. */
export const MAX_OUTPUT_BYTES = 4096;

/** Testkube's id for a step: its `id`, or its name lowercased with other runs as `_`. */
export const stepIdOf = (step: { id?: string | undefined; name: string }): string => {
  if (step.id !== undefined && step.id !== "") return step.id;
  return step.name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "_")
    .replace(/^_+|_+$/g, "");
};

const resultsPath = (id: string): string => `/data/.steps/${id}`;

/** Every step id of a tree. */
export const stepIds = (steps: readonly RunnerStep[], into = new Set<string>()): Set<string> => {
  for (const step of steps) {
    const id = stepIdOf(step);
    if (id !== "") into.add(id);
    stepIds(step.steps, into);
  }
  return into;
};

/** The `step` root a step's expressions see: its own results, every step's results and outputs. */
export const stepVariable = (
  step: RunnerStep,
  ids: ReadonlySet<string>,
  outputs: ReadonlyMap<string, Record<string, string>>,
): Value => {
  const root: Record<string, unknown> = {};
  for (const id of ids) root[id] = { results: resultsPath(id), outputs: outputs.get(id) ?? {} };
  const own = stepIdOf(step);
  if (own !== "") root.results = resultsPath(own);
  return fromJs(root);
};

/** Before a step's process starts: its results directory, and an empty outputs directory. */
export const prepareStepOutputs = async (step: RunnerStep, workspace: string): Promise<void> => {
  const outputs = join(workspace, OUTPUTS_IN_WORKSPACE);
  // Writable for a container's user whatever its uid (the umask would leave 0755).
  await emptyDir(outputs, 0o777);
  const id = stepIdOf(step);
  if (id === "") return;
  await ensureDir(join(workspace, ".steps", id), 0o777);
};

/** After a step's process ended: the outputs it wrote, and a warning for each skipped file. */
export const collectStepOutputs = async (
  workspace: string,
): Promise<{ outputs: Record<string, string>; warnings: string[] }> => {
  const dir = join(workspace, OUTPUTS_IN_WORKSPACE);
  const outputs: Record<string, string> = {};
  const warnings: string[] = [];
  const entries = listDir(dir);
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    const size = (await stat(path)).size;
    if (size > MAX_OUTPUT_BYTES) {
      warnings.push(
        `step output "${entry.name}" is over ${MAX_OUTPUT_BYTES} bytes, skipped (use step.results for large files)`,
      );
      continue;
    }
    outputs[entry.name] = (await readFile(path, "utf8")).trim();
  }
  return { outputs, warnings };
};
