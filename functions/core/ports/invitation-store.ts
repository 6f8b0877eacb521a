import type { Membership } from "@assay/shared";
import type { InvitationRecord } from "../records.ts";

export interface InvitationStore {
  put(invitation: InvitationRecord): Promise<void>;
  getByHash(hash: string): Promise<InvitationRecord | undefined>;
  listByOrg(orgId: string): Promise<InvitationRecord[]>;
  /** Deletes an invitation of that org; false when there is none. */
  revoke(orgId: string, invitationId: string): Promise<boolean>;
  /**
   * Atomically consumes the (unexpired at `now`) invitation and adds the membership. Returns
   * false when the invitation is gone or expired; throws `already_exists` when already a member.
   */
  accept(hash: string, member: Membership, now: string): Promise<boolean>;
}
