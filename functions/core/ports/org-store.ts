import type { Environment, Membership, Organization } from "@assay/shared";

/**
 * Organization lifecycle beyond TenantStore: atomic creation with the first owner, counters kept
 * on the org item (environments, owners) so limits hold under concurrency, and deletion.
 */
export interface OrgStore {
  /** Creates the org and its owner's membership together; `already_exists` if the id is taken. */
  createWithOwner(org: Organization, owner: Membership): Promise<void>;
  /** Renames or changes the plan; a plan whose environment limit is below the count is refused. */
  update(
    orgId: string,
    patch: { name?: string; plan?: string },
    limits: { environments: number },
  ): Promise<Organization | undefined>;
  /** Marks the org deleted (its slug stays reserved). */
  markDeleted(orgId: string, at: string): Promise<void>;
  /** Creates an environment unless the org already has `limit` (`resource_exhausted`). */
  createEnv(env: Environment, limit: number): Promise<void>;
  updateEnv(
    orgId: string,
    envId: string,
    patch: { name: string },
    at: string,
  ): Promise<Environment | undefined>;
  /** Deletes the environment item and lowers the count; false when it did not exist. */
  deleteEnv(orgId: string, envId: string): Promise<boolean>;
}
