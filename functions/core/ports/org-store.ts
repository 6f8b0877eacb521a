import type { Environment, Membership, Organization } from "@assay/shared";
import type { EnvRef } from "./refs.ts";

/**
 * Organizations and what belongs to them: the org item with its environments, counters kept on
 * the org item (environments, owners) so limits hold under concurrency, and deletion.
 */
export interface OrgStore {
  /** Creates an organization without members; throws `already_exists` when the id is taken. */
  createOrg(org: Organization): Promise<void>;
  /** Creates the org and its owner's membership together; `already_exists` if the id is taken. */
  createWithOwner(org: Organization, owner: Membership): Promise<void>;
  getOrg(orgId: string): Promise<Organization | undefined>;
  /** Every organization's id (for platform-wide sweeps such as retention); eventually consistent. */
  listOrgIds(): Promise<string[]>;
  /** Renames or changes the plan; a plan whose environment limit is below the count is refused. */
  update(
    orgId: string,
    patch: { name?: string; plan?: string },
    limits: { environments: number },
  ): Promise<Organization | undefined>;
  /** Marks the org deleted (its slug stays reserved). */
  markDeleted(orgId: string, at: string): Promise<void>;
  /**
   * Creates an environment: `not_found` when the org is missing or deleted, `already_exists`
   * when the id is taken in that org, `resource_exhausted` when the org already has `limit`
   * (no limit when omitted).
   */
  createEnv(env: Environment, limit?: number): Promise<void>;
  getEnv(env: EnvRef): Promise<Environment | undefined>;
  listEnvs(orgId: string): Promise<Environment[]>;
  updateEnv(env: EnvRef, patch: { name: string }, at: string): Promise<Environment | undefined>;
  /** Deletes the environment item and lowers the count; false when it did not exist. */
  deleteEnv(env: EnvRef): Promise<boolean>;
}
