/**
 * First-start setup of local mode: the `demo` organization, its `local` environment, an agent
 * token, an owner API token and a sample workflow, recorded in `<data dir>/local.json`
 * (mode 0600: it holds secrets). Later starts reuse local.json while its tokens still work.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isAppError, SAMPLE_WORKFLOW, SAMPLE_WORKFLOW_NAME } from "@assay/shared";
import * as z from "zod";
import { internalPrincipal } from "../core/access.ts";
import type { Core } from "../core/index.ts";
import { hashToken } from "../core/tokens.ts";

export const LocalState = z.object({
  apiUrl: z.string(),
  ingressUrl: z.string(),
  orgId: z.string(),
  envId: z.string(),
  apiToken: z.string(),
  agentToken: z.string(),
  caFile: z.string(),
});
export type LocalState = z.infer<typeof LocalState>;

const ORG = "demo";
const ENV = "local";

function readState(path: string): LocalState | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = LocalState.safeParse(JSON.parse(readFileSync(path, "utf8")));
  return parsed.success ? parsed.data : undefined;
}

export async function bootstrapLocal(
  core: Core,
  dataDir: string,
  urls: { apiUrl: string; ingressUrl: string; caFile: string },
): Promise<{ state: LocalState; created: boolean }> {
  const path = join(dataDir, "local.json");
  const previous = readState(path);
  const stillValid =
    previous &&
    (await core.tokens.isValid(hashToken(previous.apiToken))) &&
    (await core.tokens.isValid(hashToken(previous.agentToken)));
  const now = new Date().toISOString();
  const ignoreExisting = (error: unknown) => {
    if (!isAppError(error) || error.code !== "already_exists") throw error;
  };
  let apiToken = previous?.apiToken ?? "";
  let agentToken = previous?.agentToken ?? "";
  if (!stillValid) {
    await core.orgs.createOrg({ id: ORG, name: "Demo", plan: "free", createdAt: now }).catch(ignoreExisting);
    await core.orgs.createEnv({ orgId: ORG, id: ENV, name: "Local", createdAt: now }).catch(ignoreExisting);
    apiToken = (await core.tokens.issue({ kind: "api", name: "local owner", orgId: ORG, role: "owner" }))
      .secret;
    agentToken = (await core.tokens.issue({ kind: "agent", name: "local agent", orgId: ORG, envId: ENV }))
      .secret;
    // An existing "hello" workflow (perhaps edited by the user) stays as it is.
    const setup = internalPrincipal(ORG, "local bootstrap");
    const existing = (await core.workflows.list(setup, { orgId: ORG, envId: ENV })).some(
      (w) => w.name === SAMPLE_WORKFLOW_NAME,
    );
    if (!existing)
      await core.workflows.apply(setup, { orgId: ORG, envId: ENV }, SAMPLE_WORKFLOW_NAME, SAMPLE_WORKFLOW);
  }
  const state: LocalState = {
    apiUrl: urls.apiUrl,
    ingressUrl: urls.ingressUrl,
    caFile: urls.caFile,
    orgId: ORG,
    envId: ENV,
    apiToken,
    agentToken,
  };
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return { state, created: !stillValid };
}
