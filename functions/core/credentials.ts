/**
 * The credential store of organizations and environments: set (create or rotate), list
 * (metadata; a variable's value to members), read one, delete, all audited without the value;
 * and `resolve`, called only by the agent link (agent-link/credential-release.ts), for the agent
 * that holds an execution.
 *
 * Roles: admins write; members read variables' values and use credentials in runs; viewers see
 * names and metadata only. A secret's value is never returned by the API after it is set.
 * At run time an environment's credential wins over the organization's of the same name.
 */
import { AppError, type CredentialView, type PutCredentialBody } from "@assay/shared";
import { authorize, type OrgPrincipal } from "./access.ts";
import { type AuditLog, auditActor } from "./audit.ts";
import { type CredentialSealer, slotOf } from "./credential-crypto.ts";
import type { CredentialStore, StoredCredential } from "./ports/credential-store.ts";
import type { EnvRef } from "./ports/refs.ts";
import type { Clock } from "./ports.ts";
import type { RequestMeta } from "./principals.ts";

/** Most credentials one scope (the organization, or one environment) holds. */
export const MAX_CREDENTIALS_PER_SCOPE = 500;

/** A value released to an agent. */
export interface ResolvedCredential {
  name: string;
  value: string;
  /** True for secrets: the agent masks the value in logs. */
  secret: boolean;
}

const RANK = { viewer: 0, member: 1, admin: 2, owner: 3 } as const;

export function createCredentialService(deps: {
  store: Pick<CredentialStore, "get" | "list" | "put" | "delete">;
  sealer: CredentialSealer;
  audit: AuditLog;
  clock: Clock;
}) {
  const { store, sealer, audit } = deps;
  const open = (item: StoredCredential) => sealer.open(item.orgId, slotOf(item, item.name), item.sealed);

  async function view(item: StoredCredential, principal: OrgPrincipal): Promise<CredentialView> {
    const out: CredentialView = {
      name: item.name,
      kind: item.kind,
      scope: item.envId === undefined ? "org" : "env",
      version: item.version,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      updatedBy: item.updatedBy,
    };
    if (item.envId !== undefined) out.envId = item.envId;
    if (item.kind === "variable" && RANK[principal.role] >= RANK.member) out.value = await open(item);
    return out;
  }

  const scopeDetails = (envId: string | undefined): Record<string, string> =>
    envId === undefined ? { scope: "org" } : { scope: "env", envId };

  return {
    /** Creates `name` or rotates its value (a new version); returns whether it was new. */
    async put(
      principal: OrgPrincipal,
      envId: string | undefined,
      name: string,
      body: PutCredentialBody,
      meta?: RequestMeta,
    ): Promise<{ credential: CredentialView; created: boolean }> {
      authorize(principal, "manage-credentials");
      const { orgId } = principal;
      const scope = { orgId, envId };
      const current = await store.get(scope, name);
      if (current === undefined && (await store.list(scope)).length >= MAX_CREDENTIALS_PER_SCOPE) {
        throw new AppError(
          "resource_exhausted",
          `at most ${MAX_CREDENTIALS_PER_SCOPE} credentials per scope`,
        );
      }
      const now = new Date(deps.clock.now()).toISOString();
      const actor = auditActor(principal);
      const item: StoredCredential = {
        orgId,
        ...(envId === undefined ? {} : { envId }),
        name,
        kind: body.kind,
        sealed: await sealer.seal(orgId, slotOf(scope, name), body.value),
        version: (current?.version ?? 0) + 1,
        createdAt: current?.createdAt ?? now,
        updatedAt: now,
        updatedBy: actor.label || actor.id,
      };
      if (!(await store.put(item)))
        throw new AppError("aborted", `credential ${name} was changed at the same time; try again`);
      await audit.record({
        orgId,
        action: current === undefined ? "credential.created" : "credential.rotated",
        actor,
        target: { kind: "credential", id: name },
        details: { ...scopeDetails(envId), kind: body.kind, version: String(item.version) },
        meta,
      });
      return { credential: await view(item, principal), created: current === undefined };
    },

    async list(principal: OrgPrincipal, envId: string | undefined): Promise<CredentialView[]> {
      authorize(principal, "read");
      const items = await store.list({ orgId: principal.orgId, envId });
      return Promise.all(items.map((item) => view(item, principal)));
    },

    async get(principal: OrgPrincipal, envId: string | undefined, name: string): Promise<CredentialView> {
      authorize(principal, "read");
      const item = await store.get({ orgId: principal.orgId, envId }, name);
      if (item === undefined) throw new AppError("not_found", `credential ${name} not found`);
      return view(item, principal);
    },

    async delete(principal: OrgPrincipal, envId: string | undefined, name: string, meta?: RequestMeta) {
      authorize(principal, "manage-credentials");
      if (!(await store.delete({ orgId: principal.orgId, envId }, name)))
        throw new AppError("not_found", `credential ${name} not found`);
      await audit.record({
        orgId: principal.orgId,
        action: "credential.deleted",
        actor: auditActor(principal),
        target: { kind: "credential", id: name },
        details: scopeDetails(envId),
        meta,
      });
    },

    /**
     * The values of `names` and of every credential named `{prefix}.{key}` for the run of an
     * execution in `envId` (the environment's win). Names not set are simply absent: the agent
     * knows which of its candidates it needed and fails the run naming them.
     */
    async resolve(
      { orgId, envId }: EnvRef,
      request: { names: readonly string[]; prefixes: readonly string[] },
    ): Promise<ResolvedCredential[]> {
      const [own, inherited] = await Promise.all([store.list({ orgId, envId }), store.list({ orgId })]);
      const byName = new Map<string, StoredCredential>();
      for (const item of [...inherited, ...own]) byName.set(item.name, item);
      const wanted = new Set(request.names);
      const picked = [...byName.values()].filter(
        (item) => wanted.has(item.name) || request.prefixes.some((p) => item.name.startsWith(`${p}.`)),
      );
      return Promise.all(
        picked.map(async (item) => ({
          name: item.name,
          value: await open(item),
          secret: item.kind === "secret",
        })),
      );
    },
  };
}

export type CredentialService = ReturnType<typeof createCredentialService>;
