import type { Environment, Organization } from "@assay/shared";

export interface TenantStore {
  /** Creates the organization; throws `already_exists` when the id is taken. */
  createOrg(org: Organization): Promise<void>;
  getOrg(orgId: string): Promise<Organization | undefined>;
  /** Creates the environment; throws `already_exists` when the id is taken in that org. */
  createEnv(env: Environment): Promise<void>;
  getEnv(orgId: string, envId: string): Promise<Environment | undefined>;
  listEnvs(orgId: string): Promise<Environment[]>;
  /** Every organization's id (for platform-wide sweeps such as retention); eventually consistent. */
  listOrgIds(): Promise<string[]>;
}
