/**
 * One version for the whole product: the control plane serves the agent of the same version
 * (its npm tarball and image carry it), and the agent reports it in its hello. The root
 * package.json carries the same number (a test keeps them equal).
 */
export const ASSAY_VERSION = "0.1.0";

/**
 * The oldest agent this control plane supports fully; the dashboard flags older agents (and
 * agents that report no version) so their operators update them.
 */
export const MIN_AGENT_VERSION = "0.1.0";

/** Compares two `major.minor.patch` versions (a pre-release tail is ignored): -1, 0 or 1. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const parts = (v: string) =>
    v
      .split(/[-+]/, 1)[0]
      ?.split(".")
      .map((n) => Number.parseInt(n, 10) || 0) ?? [];
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** True when an agent reporting `version` is older than MIN_AGENT_VERSION or says no version. */
export function agentIsOutdated(version: string): boolean {
  return !/^\d+\.\d+\.\d+/.test(version) || compareVersions(version, MIN_AGENT_VERSION) < 0;
}

/**
 * The agent image's reference: `<registry>/assay/agent:<version>`, or `assay/agent:<version>`
 * without a registry (a locally built image). The release script pushes exactly this name and
 * the install commands of a deployment configured with the same registry print it.
 */
export function agentImageRef(registry?: string, version: string = ASSAY_VERSION): string {
  const prefix = registry?.replace(/\/+$/, "");
  return `${prefix ? `${prefix}/` : ""}assay/agent:${version}`;
}
