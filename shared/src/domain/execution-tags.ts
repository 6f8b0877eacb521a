/**
 * The tags the control plane sets to relate executions (children to their parent, replicas to
 * each other). Plain constants, apart from the execution schemas, so a reader that needs only
 * these (the dashboard's first page load) does not load zod with them.
 */

/** The tag every child execution carries, naming its parent (see `Execution.parent`). */
export const PARENT_TAG = "assay.io/parent";

/** The tag every replica carries, naming the first of them (see `Execution.replicaGroup`). */
export const REPLICAS_TAG = "assay.io/replicas";
