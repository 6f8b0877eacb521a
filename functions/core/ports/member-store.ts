import type { Membership } from "@assay/shared";

export interface MemberStore {
  get(orgId: string, userId: string): Promise<Membership | undefined>;
  listByOrg(orgId: string): Promise<Membership[]>;
  /** The organizations a user belongs to (eventually consistent in AWS). */
  listByUser(userId: string): Promise<Membership[]>;
  /**
   * Changes a role. Demoting the last owner throws `failed_precondition`. Returns undefined when
   * the user is not a member.
   */
  setRole(orgId: string, userId: string, role: Membership["role"]): Promise<Membership | undefined>;
  /** Removes a member; removing the last owner throws `failed_precondition`. */
  remove(orgId: string, userId: string): Promise<boolean>;
  /**
   * Adds a member with a role below owner (single sign-on's just-in-time membership). Returns
   * false when the user is a member already; throws `not_found` for a missing or deleted org.
   */
  add(member: Membership): Promise<boolean>;
  /** Removes every membership of a deleted organization (no owner check). */
  purge(orgId: string): Promise<void>;
}
