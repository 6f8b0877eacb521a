/**
 * What a plan allows an execution to store: log size, artifact bundle size, unpacked files
 * and bytes, and how long logs and artifacts are kept. Keyed by the organization's plan name
 * (`Organization.plan`); an unknown plan gets the free plan's limits, never more.
 *
 * Kept beside the plans module (plans.ts, issue 3) rather than in it while that module is being
 * written; the retention days match its `logRetentionDays` / `artifactRetentionDays`.
 */

export interface StorageLimits {
  /** Bytes of log one execution may store; beyond it the ingress refuses chunks. */
  logBytes: number;
  /** Largest single tar.gz bundle an agent may upload, in bytes. */
  bundleBytes: number;
  /** Bundles one execution may upload (each step's `artifacts` is one). */
  bundlesPerExecution: number;
  /** Files one execution's artifacts may unpack to. */
  artifactFiles: number;
  /** Unpacked bytes one execution's artifacts may hold. */
  artifactBytes: number;
  /** Unpacked / compressed ratio above which a bundle is treated as a compression bomb. */
  maxCompressionRatio: number;
  logRetentionDays: number;
  artifactRetentionDays: number;
}

const GiB = 1024 ** 3;

export const STORAGE_LIMITS: Record<string, StorageLimits> = {
  free: {
    logBytes: GiB,
    bundleBytes: 5 * GiB,
    bundlesPerExecution: 100,
    artifactFiles: 10_000,
    artifactBytes: 5 * GiB,
    maxCompressionRatio: 200,
    logRetentionDays: 7,
    artifactRetentionDays: 7,
  },
  team: {
    logBytes: GiB,
    bundleBytes: 20 * GiB,
    bundlesPerExecution: 1000,
    artifactFiles: 100_000,
    artifactBytes: 20 * GiB,
    maxCompressionRatio: 200,
    logRetentionDays: 90,
    artifactRetentionDays: 30,
  },
};

/** The limits of a stored plan name (the free plan's for an unknown one). */
export const storageLimitsOf = (plan: string | undefined): StorageLimits =>
  STORAGE_LIMITS[plan ?? "free"] ?? (STORAGE_LIMITS.free as StorageLimits);
