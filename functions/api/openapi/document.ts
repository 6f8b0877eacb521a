/**
 * Builds the OpenAPI 3.1 document from the route specs with zod 4's own `z.toJSONSchema`
 * (OpenAPI 3.1 schemas are JSON Schema 2020-12). No extra dependency, and the routes keep plain
 * Hono handlers: @hono/zod-openapi would have meant rewriting every existing route through its
 * `createRoute`/`openapi()` API, including routes owned by others.
 *
 * Request schemas are rendered for input (`io: "input"`: defaults optional, coercions as their
 * input type), responses for output.
 */
import * as z from "zod";
import { type RouteSpec, toOpenApiPath } from "../route-spec.ts";

type JsonObject = Record<string, unknown>;

const schemaOf = (schema: z.ZodType, io: "input" | "output"): JsonObject => {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonObject;
  return json;
};

const parametersOf = (spec: RouteSpec): JsonObject[] => {
  const out: JsonObject[] = [];
  const add = (where: "path" | "query", shape: z.ZodObject | undefined) => {
    if (!shape) return;
    const json = schemaOf(shape, "input") as { properties?: Record<string, JsonObject>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === "path" || (json.required ?? []).includes(name),
        schema,
      });
    }
  };
  add("path", spec.params);
  add("query", spec.query);
  // Path parameters without a schema still have to be declared.
  for (const match of toOpenApiPath(spec.path).matchAll(/\{([^}]+)\}/g)) {
    const name = match[1];
    if (!out.some((p) => p.in === "path" && p.name === name)) {
      out.push({ name, in: "path", required: true, schema: { type: "string" } });
    }
  }
  return out;
};

const SECURITY: Record<RouteSpec["auth"], JsonObject[]> = {
  none: [],
  session: [{ session: [] }],
  any: [{ session: [] }, { bearer: [] }],
};

/** The whole document for these routes. */
export function buildOpenApiDocument(specs: RouteSpec[], info: { version: string }): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const spec of specs) {
    const path = toOpenApiPath(spec.path);
    const responses: JsonObject = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema || response.contentType
          ? {
              content: {
                [response.contentType ?? "application/json"]: response.schema
                  ? { schema: schemaOf(response.schema, "output") }
                  : {},
              },
            }
          : {}),
      };
    }
    paths[path] ??= {};
    paths[path][spec.method] = {
      summary: spec.summary,
      tags: [spec.tag],
      operationId: `${spec.method}${path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? "").toUpperCase())}`,
      security: SECURITY[spec.auth],
      parameters: parametersOf(spec),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: {
                [spec.bodyContentType ?? "application/json"]: { schema: schemaOf(spec.body, "input") },
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Assay API",
      version: info.version,
      description:
        "Run test workflows on your own infrastructure. Authenticate with `Authorization: Bearer asy_api_...` " +
        "or the `assay_session` cookie; cookie requests that change state (and every POST to /v1/auth/*) " +
        "need the header `x-assay-csrf: 1`. Resources of other organizations answer 404.",
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "API token (asy_api_...)" },
        session: { type: "apiKey", in: "cookie", name: "assay_session" },
      },
    },
    paths,
  };
}
