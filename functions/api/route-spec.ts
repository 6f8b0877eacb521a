/**
 * Route specifications: method, path, and the zod schemas a route validates with. Handlers
 * parse with these very objects, and the OpenAPI document is generated from them, so the
 * document cannot drift from what the API accepts.
 */
import type { z } from "zod";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
}

export interface RouteSpec {
  method: HttpMethod;
  /** Hono-style path (`/v1/orgs/:org`). */
  path: string;
  summary: string;
  tag: string;
  /** `none`: public; `session`: signed-in user only; `any`: session cookie or API token. */
  auth: "none" | "session" | "any";
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Request body media type when not JSON (e.g. YAML workflows). */
  bodyContentType?: string;
  responses: Record<number, ResponseSpec>;
}

/** Declares a route spec (an identity function that keeps the literal types). */
export const defineRoute = <S extends RouteSpec>(spec: S): S => spec;

/** `/v1/orgs/:org` -> `/v1/orgs/{org}`; a trailing `/*` (rest of the path) -> `/{path}`. */
export const toOpenApiPath = (path: string): string =>
  path.replace(/:([A-Za-z0-9_]+)/g, "{$1}").replace(/\/\*$/, "/{path}");

/** The path relative to a mount point (`/v1/orgs/:org/envs/:env`), for sub-apps. */
export const relativeTo = (base: string, path: string): string => {
  if (!path.startsWith(base)) throw new Error(`${path} is not under ${base}`);
  return path.slice(base.length) || "/";
};
