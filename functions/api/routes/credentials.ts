/**
 * Credentials of an organization (`/v1/orgs/:org/credentials`) and of one environment
 * (`.../envs/:env/credentials`, mounted on the env-scoped app): list, read one, set (create or
 * rotate), delete. Values go in only; a secret's value never comes back out of the API.
 */
import { AppError, CredentialName, CredentialView, PutCredentialBody } from "@assay/shared";
import type { Context, Hono } from "hono";
import { requestMeta } from "../auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute, relativeTo } from "../route-spec.ts";
import { authErrors, EnvParams, itemsOf, OrgParams } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";
import { ENV_BASE } from "./envs.ts";

const ORG_BASE = "/v1/orgs/:org/credentials";
const ENV_CREDENTIALS = `${ENV_BASE}/credentials`;
const OrgCredentialParams = OrgParams.extend({ name: CredentialName });
const EnvCredentialParams = EnvParams.extend({ name: CredentialName });

const specsFor = (base: string, scope: "organization" | "environment") => {
  const params = scope === "organization" ? OrgParams : EnvParams;
  const named = scope === "organization" ? OrgCredentialParams : EnvCredentialParams;
  return {
    list: defineRoute({
      method: "get",
      path: base,
      summary: `Credentials of the ${scope}: names and metadata (a variable's value to members)`,
      tag: "credentials",
      auth: "any",
      params,
      responses: { 200: { description: "Credentials", schema: itemsOf(CredentialView) }, ...authErrors },
    }),
    get: defineRoute({
      method: "get",
      path: `${base}/:name`,
      summary: `One credential of the ${scope} (a secret's value is never shown)`,
      tag: "credentials",
      auth: "any",
      params: named,
      responses: { 200: { description: "The credential", schema: CredentialView }, ...authErrors },
    }),
    put: defineRoute({
      method: "put",
      path: `${base}/:name`,
      summary: `Set a credential of the ${scope} (admin): creates it, or rotates its value`,
      tag: "credentials",
      auth: "any",
      params: named,
      body: PutCredentialBody,
      responses: {
        200: { description: "Rotated", schema: CredentialView },
        201: { description: "Created", schema: CredentialView },
        ...authErrors,
      },
    }),
    delete: defineRoute({
      method: "delete",
      path: `${base}/:name`,
      summary: `Delete a credential of the ${scope} (admin)`,
      tag: "credentials",
      auth: "any",
      params: named,
      responses: { 204: { description: "Deleted" }, ...authErrors },
    }),
  };
};

export const orgCredentialSpecs = specsFor(ORG_BASE, "organization");
export const envCredentialSpecs = specsFor(ENV_CREDENTIALS, "environment");

const serviceOf = (deps: ApiDeps) => {
  if (deps.credentials === undefined)
    throw new AppError("failed_precondition", "credentials are not configured on this deployment (no key)");
  return deps.credentials;
};

/** Mounts one scope's routes; `envOf` is undefined for the organization's own credentials. */
function mount(
  app: Hono<ApiEnv>,
  deps: ApiDeps,
  specs: typeof orgCredentialSpecs,
  at: (path: string) => string,
  envOf: (c: Context<ApiEnv>) => string | undefined,
) {
  const nameOf = (c: Context<ApiEnv>) => parseInput(CredentialName, c.req.param("name"), "name");
  app.get(at(specs.list.path), async (c) =>
    c.json({ items: await serviceOf(deps).list(c.get("principal"), envOf(c)) }),
  );
  app.get(at(specs.get.path), async (c) =>
    c.json(await serviceOf(deps).get(c.get("principal"), envOf(c), nameOf(c))),
  );
  app.put(at(specs.put.path), async (c) => {
    const name = nameOf(c);
    const body = parseInput(specs.put.body, await readJson(c.req.raw), "body");
    const out = await serviceOf(deps).put(c.get("principal"), envOf(c), name, body, requestMeta(c));
    return c.json(out.credential, out.created ? 201 : 200);
  });
  app.delete(at(specs.delete.path), async (c) => {
    await serviceOf(deps).delete(c.get("principal"), envOf(c), nameOf(c), requestMeta(c));
    return c.body(null, 204);
  });
}

export function orgCredentialRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  mount(
    app,
    deps,
    orgCredentialSpecs,
    (path) => path,
    () => undefined,
  );
}

export function envCredentialRoutes(scoped: Hono<ApiEnv>, deps: ApiDeps) {
  mount(
    scoped,
    deps,
    envCredentialSpecs,
    (path) => relativeTo(ENV_BASE, path),
    (c) => c.get("envId"),
  );
}
