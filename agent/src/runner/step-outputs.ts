/**
 * Testkube's step outputs. A step with an id (its `id`, or one derived from its `name`:
 * lowercased, every run of other characters one `_`) gets a results directory,
 * `{{ step.results }}` = `/data/.steps/<id>`, made before it runs, and an empty
 * `/testkube/outputs` directory; after its process ended, every regular file there of at most
 * 4096 bytes becomes `{{ step.<id>.outputs.<file name> }}` (its text, trimmed) for the steps
 * that start later; a larger file is skipped with a warning. `{{ step.<id>.results }}` is that
 * step's results directory.
 *
 * Testkube keeps outputs per pod: the workflow's pod, each parallel worker's and each service
 * instance's has its own `/testkube/outputs` and its own state, and a worker's steps form an id
 * namespace of their own. So here each "outputs pod" (`OutputsPod`: the workflow, or one
 * worker) has its own directory, ids and values; a worker's steps see only their worker's
 * outputs, and the workflow's steps see none of the workers'. A service's one step has neither
 * name nor id in Testkube, so nothing prepares or reads its outputs: its `/testkube/outputs`
 * is a path of its own that does not exist (a write there fails, as in Testkube). Workers and
 * services have no id of their own either. The process runtime maps `/testkube/outputs` in
 * commands onto the unit's directory (workspace.ts); container runtimes bind it there.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createMap, fromJs, type Value } from "@assay/shared/workflow/values";
import { emptyDir, ensureDir, listDir, presentDir } from "./step-dirs.ts";
import type { RunnerStep } from "./types.ts";

/** Where a step writes its outputs, in its unit. */
export const OUTPUTS_PATH = "/testkube/outputs";
/** The outputs directory inside a workspace. */
export const OUTPUTS_IN_WORKSPACE = ".testkube/outputs";
/** Largest output file read (bytes); larger ones belong in `step.results`. */
export const MAX_OUTPUT_BYTES = 4096;

/** Testkube's valid step id: lowercase ASCII letters, digits and `_`, not starting with `_`. */
const VALID_ID = /^[a-z0-9][a-z0-9_]*$/;

/** Testkube's id candidate for a step: its `id`, or its name lowercased with other runs as `_`. */
export const stepIdOf = (step: { id?: string | undefined; name: string }): string => {
  if (step.id !== undefined && step.id !== "") return step.id;
  return step.name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "_")
    .replace(/^_+|_+$/g, "");
};

const resultsPath = (id: string): string => `/data/.steps/${id}`;

/** The steps of one pod, in Testkube's order, without workers and services (pods of their own). */
const podSteps = function* (steps: readonly RunnerStep[]): Generator<RunnerStep> {
  for (const step of steps) {
    if (step.kind === "worker" || step.kind === "service") continue;
    yield step;
    yield* podSteps(step.steps);
  }
};

/**
 * The ids of a pod's steps by ref, as Testkube resolves them: an explicit `id` as written; one
 * derived from the name only when it is a valid id, with `_1`, `_2`, ... on a clash.
 */
export const resolveStepIds = (steps: readonly RunnerStep[]): Map<string, string> => {
  const ids = new Map<string, string>();
  const seen = new Set<string>();
  for (const step of podSteps(steps)) {
    if (step.id !== undefined && step.id !== "") {
      ids.set(step.ref, step.id);
      seen.add(step.id);
      continue;
    }
    const derived = stepIdOf(step);
    if (!VALID_ID.test(derived)) continue;
    let candidate = derived;
    for (let n = 1; seen.has(candidate); n++) candidate = `${derived}_${n}`;
    ids.set(step.ref, candidate);
    seen.add(candidate);
  }
  return ids;
};

/** One pod's outputs: the workflow's, or one parallel worker's. */
export interface OutputsPod {
  /** Host directory that is `/testkube/outputs` of the pod's steps. */
  readonly dir: string;
  /** The id of each of the pod's steps that has one, by ref. */
  readonly ids: ReadonlyMap<string, string>;
  /** What each step (by id) wrote, once it ended. */
  readonly values: Map<string, Record<string, string>>;
}

/** The outputs pod of `steps` (the workflow's, or a worker's) with its directory at `dir`. */
export const createOutputsPod = (dir: string, steps: readonly RunnerStep[]): OutputsPod => ({
  dir,
  ids: resolveStepIds(steps),
  values: new Map(),
});

/** Where a worker's (or service instance's) own `/testkube/outputs` lies in its `/data`. */
export const unitOutputsDir = (workspace: string, ref: string): string =>
  join(workspace, ".testkube", "units", ref.replace(/[^A-Za-z0-9_-]/g, "_"), "outputs");

/** A `step.<id>` value as built, with the outputs record it was built from. */
interface BuiltId {
  from: Record<string, string> | undefined;
  value: Value;
}

/** Each pod's `step.<id>` values as last built. */
const idValues = new WeakMap<OutputsPod, Map<string, BuiltId>>();

/**
 * The `step` root a step's expressions see: its own results, its pod's steps' results and
 * outputs. Every step of a pod gets one, so each id's value is built once per outputs it
 * stands for (a step's outputs change only when it ends) instead of all of them per step.
 */
export const stepVariable = (step: RunnerStep, pod: OutputsPod): Value => {
  const built = idValues.get(pod) ?? new Map<string, BuiltId>();
  idValues.set(pod, built);
  const root: Record<string, Value> = {};
  for (const id of pod.ids.values()) {
    const from = pod.values.get(id);
    let entry = built.get(id);
    if (entry === undefined || entry.from !== from) {
      entry = { from, value: fromJs({ results: resultsPath(id), outputs: from ?? {} }) };
      built.set(id, entry);
    }
    root[id] = entry.value;
  }
  const own = pod.ids.get(step.ref);
  if (own !== undefined) root.results = resultsPath(own);
  // The entries of a plain object, as `fromJs(root)` took them (the values are converted already).
  return createMap(Object.entries(root));
};

/**
 * Before a step's process starts, when it has an id (Testkube does nothing for one without):
 * its results directory, and an empty outputs directory. Resolves with the id.
 */
export const prepareStepOutputs = async (
  step: RunnerStep,
  pod: OutputsPod,
  workspace: string,
): Promise<string | undefined> => {
  const id = pod.ids.get(step.ref);
  if (id === undefined) {
    // Left as the step before left it, but present (a bind would make it root's otherwise).
    await presentDir(pod.dir, 0o777);
    return undefined;
  }
  pod.values.delete(id);
  // Writable for a container's user whatever its uid (the umask would leave 0755).
  await emptyDir(pod.dir, 0o777);
  await ensureDir(join(workspace, ".steps", id), 0o777);
  return id;
};

/** After a step's process ended: the outputs it wrote to `dir`, and a warning for each skipped file. */
export const collectStepOutputs = async (
  dir: string,
): Promise<{ outputs: Record<string, string>; warnings: string[] }> => {
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
