/**
 * `--step` takes a step's ref (`r2.1`, `s1`, `r2.w3.1`) or its name. Names are looked up in the
 * execution's step tree; an unknown step, or a name several steps share, is an error that lists
 * what there is, so a typo never prints an empty log with exit code 0.
 */
import type { StepState } from "@assay/shared";
import { CliError } from "./io.ts";

/** Refs look like `r2.1`, `s1`, `r2.w3.1`: segments of letters and digits joined by dots. */
const REF = /^[a-z]+\d+(?:\.[a-z]*\d+)*$/;

const listing = (steps: readonly StepState[]) =>
  steps.length === 0
    ? "it has no steps"
    : `its steps: ${steps.map((s) => `${s.ref} (${s.name})`).join(", ")}`;

/** The ref `given` names among `steps` of execution `id`, or a CliError. */
export function resolveStepRef(steps: readonly StepState[], given: string, id: string): string {
  if (steps.some((s) => s.ref === given)) return given;
  const named = steps.filter((s) => s.name === given);
  const matches =
    named.length > 0 ? named : steps.filter((s) => s.name.toLowerCase() === given.toLowerCase());
  if (matches.length === 1) return (matches[0] as StepState).ref;
  if (matches.length > 1) {
    throw new CliError(
      `${matches.length} steps of execution ${id} are named "${given}" (${matches.map((s) => s.ref).join(", ")}): pass --step with one of those refs`,
    );
  }
  // Parallel workers' steps are numbered at run time: a ref under a known step is accepted.
  const top = given.split(".")[0];
  if (REF.test(given) && given.includes(".") && steps.some((s) => s.ref === top)) return given;
  throw new CliError(`execution ${id} has no step "${given}"; ${listing(steps)}`);
}
