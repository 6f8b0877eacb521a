/**
 * The key the control plane holds (KMS in AWS, the local key file in local mode): it wraps and
 * unwraps the per-organization data keys and never leaves its holder.
 */
export interface KeyWrapper {
  /** A fresh 32-byte data key for `orgId`, plain and wrapped (the wrapped form is stored). */
  generate(orgId: string): Promise<{ plain: Uint8Array; wrapped: string }>;
  /** The plain data key of `orgId`; throws when the wrapped key is not for that org. */
  unwrap(orgId: string, wrapped: string): Promise<Uint8Array>;
}
