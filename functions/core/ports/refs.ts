/**
 * Addresses of what lives in an environment, passed to ports and use cases as one value instead
 * of positional `orgId, envId` strings (which can be swapped without the compiler noticing).
 * Records carry these fields themselves, so an `Execution` is an `ExecutionRef` and an
 * `Execution` or `WorkflowRecord` is an `EnvRef`.
 */

/** An environment of an organization. */
export interface EnvRef {
  orgId: string;
  envId: string;
}

/** Where an execution lives: enough to address it in every store. */
export interface ExecutionRef extends EnvRef {
  id: string;
}

/** Only the address fields of a ref (or of a record that carries them), for keys and logs. */
export const envRefOf = ({ orgId, envId }: EnvRef): EnvRef => ({ orgId, envId });
