/**
 * What the control plane granted for each artifact bundle, stored beside the bundles as
 * `grants/{bundle}.json` under the execution's prefix. The declared size is recorded when URLs
 * are granted, so completion checks the uploaded object against what was granted, not against
 * what the agent says at the end; the number of grant records caps bundles per execution.
 */
import { AppError } from "@assay/shared";
import * as z from "zod";
import type { ObjectStore } from "./ports.ts";

export const BundleGrant = z.object({
  /** Bytes the agent declared when it asked for URLs (within the plan's bundle limit). */
  sizeBytes: z.number().int().nonnegative(),
  grantedAt: z.string(),
});
export type BundleGrant = z.infer<typeof BundleGrant>;

const grantsPrefix = (prefix: string) => `${prefix}grants/`;
const grantKey = (prefix: string, bundleId: string) => `${grantsPrefix(prefix)}${bundleId}.json`;

export function createBundleGrants(blobs: ObjectStore) {
  return {
    /**
     * Records the grant of `bundleId`; throws `resource_exhausted` when the execution already
     * has `maxBundles` other bundles. Asking again for the same bundle replaces its record.
     */
    async record(prefix: string, bundleId: string, grant: BundleGrant, maxBundles: number): Promise<void> {
      const existing = await blobs.list(grantsPrefix(prefix));
      const others = existing.filter((o) => o.key !== grantKey(prefix, bundleId)).length;
      if (others >= maxBundles) {
        throw new AppError(
          "resource_exhausted",
          `the execution already has ${others} artifact bundles, the plan's limit is ${maxBundles}`,
        );
      }
      await blobs.put(grantKey(prefix, bundleId), new TextEncoder().encode(JSON.stringify(grant)), {
        contentType: "application/json",
      });
    },

    /** The grant of `bundleId`, or undefined when none was made. */
    async get(prefix: string, bundleId: string): Promise<BundleGrant | undefined> {
      const bytes = await blobs.get(grantKey(prefix, bundleId));
      if (bytes === undefined) return undefined;
      return BundleGrant.parse(JSON.parse(new TextDecoder().decode(bytes)));
    },
  };
}
