import type { AuditEvent, Page } from "@assay/shared";

export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  /** Newest first; `cursor` is opaque. */
  list(orgId: string, page: { limit: number; cursor?: string }): Promise<Page<AuditEvent>>;
}
