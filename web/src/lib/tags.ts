/**
 * Execution tags as users see them: the control plane's own (`assay.io/*`, e.g. the schedule
 * and tick of a scheduled run) are bookkeeping, not the user's, so lists and re-runs leave
 * them out.
 */
export const INTERNAL_TAG_PREFIX = "assay.io/";

/** The tags a user set, without the control plane's `assay.io/*` ones. */
export const userTags = (tags: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(tags).filter(([key]) => !key.startsWith(INTERNAL_TAG_PREFIX)));
