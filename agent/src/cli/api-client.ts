/**
 * The one client of the Assay HTTP API the CLI uses. Every call returns
 * `{ ok: true, value } | { ok: false, error }`: failures are expected (bad token, not found,
 * server down) and each command decides how to word them.
 */
import type { IncomingMessage } from "node:http";
import type {
  ApplyWorkflowResponse,
  ArtifactListing,
  CredentialView,
  ErrorBody,
  ExecutionView,
  FieldIssue,
  Page,
  TestReport,
  WorkflowView,
} from "@assay/shared";
import { LogSegmentsBody } from "@assay/shared";
import { ConnectError, readBody, send } from "./http.ts";

/** Why a call failed. `status` is the HTTP status (0 when the server was not reached). */
export interface ApiError {
  status: number;
  code: string;
  message: string;
  issues?: FieldIssue[] | undefined;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Where and as whom to call. */
export interface ApiTarget {
  apiUrl: string;
  token: string;
  org: string;
  env: string;
  /** PEM CA for a self-signed https API. */
  ca?: Buffer | undefined;
}

/** Filters of `GET .../logs`. */
export interface LogQuery {
  step?: string | undefined;
}

/** `PUT workflows/{name}`: the workflow, the document's warnings and the runtimes' check. */
export type ApplyResult = ApplyWorkflowResponse;

export interface ApplyTemplateResult {
  template: WorkflowView;
  warnings: string[];
}

export interface ListExecutionsQuery {
  workflow?: string | undefined;
  status?: string | undefined;
  /** `key=value` tags the executions must all carry. */
  tag?: string[] | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** `org`: the organization's own credentials; `env`: the environment's (which win at run time). */
export type CredentialScope = "org" | "env";

export interface ApiClient {
  /**
   * Any JSON call under the environment (`webhooks/{name}`): for commands whose routes need no
   * special handling. An empty answer (204) is `null`.
   */
  request<T>(
    method: string,
    path: string,
    body?: { text: string; contentType: string },
  ): Promise<ApiResult<T>>;
  /** `PUT [envs/{env}/]credentials/{name}`; the value travels only in the body. */
  putCredential(
    scope: CredentialScope,
    name: string,
    body: { value: string; kind: "secret" | "variable" },
  ): Promise<ApiResult<CredentialView>>;
  listCredentials(scope: CredentialScope): Promise<ApiResult<{ items: CredentialView[] }>>;
  deleteCredential(scope: CredentialScope, name: string): Promise<ApiResult<null>>;
  /** `PUT workflows/{name}` with the document's text. */
  applyWorkflow(
    name: string,
    text: string,
    contentType: string,
    options?: { dryRun?: boolean },
  ): Promise<ApiResult<ApplyResult>>;
  /** `DELETE workflows/{name}`: the workflow and its schedules; its executions stay. */
  deleteWorkflow(name: string): Promise<ApiResult<null>>;
  /** With `labels` (`key=value`), only workflows carrying all of them. */
  listWorkflows(labels?: string[]): Promise<ApiResult<{ items: WorkflowView[] }>>;
  /** `PUT templates/{name}` with a TestWorkflowTemplate's text. */
  applyTemplate(name: string, text: string, contentType: string): Promise<ApiResult<ApplyTemplateResult>>;
  listTemplates(labels?: string[]): Promise<ApiResult<{ items: WorkflowView[] }>>;
  getTemplate(name: string): Promise<ApiResult<WorkflowView>>;
  deleteTemplate(name: string): Promise<ApiResult<null>>;
  getWorkflow(name: string): Promise<ApiResult<WorkflowView>>;
  runWorkflow(
    name: string,
    body: { config: Record<string, string>; tags: Record<string, string> },
  ): Promise<ApiResult<ExecutionView>>;
  listExecutions(query: ListExecutionsQuery): Promise<ApiResult<Page<ExecutionView>>>;
  getExecution(id: string): Promise<ApiResult<ExecutionView>>;
  abortExecution(id: string): Promise<ApiResult<ExecutionView>>;
  /** Asks to pause (`pause`) or resume (`resume`) a running execution. */
  pauseExecution(id: string, action: "pause" | "resume"): Promise<ApiResult<ExecutionView>>;
  /** `POST executions/{id}/rerun`: the new execution (its `rerunOf` is `id`). */
  rerunExecution(id: string): Promise<ApiResult<ExecutionView>>;
  /** `DELETE executions/{id}`: a finished execution with its logs and artifacts. */
  deleteExecution(id: string): Promise<ApiResult<null>>;
  /** The test cases parsed from the execution's JUnit artifacts. */
  getReport(id: string): Promise<ApiResult<TestReport>>;
  /** `GET /v1/me` (outside the environment): the caller and where the dashboard is. */
  me(): Promise<ApiResult<{ dashboardUrl?: string }>>;
  /** The full stored log (raw bytes). */
  getLogs(id: string, query?: LogQuery): Promise<ApiResult<Buffer>>;
  /**
   * The stored log as segments, each saying its step and stream (`format=json`); with `tail`
   * only the segments of the last `tail` lines.
   */
  getLogSegments(id: string, query?: LogQuery & { tail?: number }): Promise<ApiResult<LogSegmentsBody>>;
  /** The last `tail` lines (of one step's output with `step`) and the log's total length. */
  tailLogs(
    id: string,
    query: LogQuery & { tail: number },
  ): Promise<ApiResult<{ data: Buffer; total: number }>>;
  listArtifacts(id: string): Promise<ApiResult<ArtifactListing>>;
  /** The short-lived presigned URL of one artifact file (the API's redirect target). */
  artifactUrl(id: string, path: string): Promise<ApiResult<string>>;
  /** Opens the live log event stream, resuming after byte `lastEventId` when given. */
  openLogStream(
    id: string,
    lastEventId: number | undefined,
    signal?: AbortSignal,
    step?: string,
  ): Promise<ApiResult<IncomingMessage>>;
}

const segment = encodeURIComponent;

const labelQuery = (labels: string[] | undefined): string => {
  const params = new URLSearchParams();
  for (const label of labels ?? []) params.append("label", label);
  const qs = params.toString();
  return qs ? `?${qs}` : "";
};

/** Turns an error response into an ApiError, whatever its body. */
const toApiError = (status: number, body: Buffer): ApiError => {
  try {
    const parsed = JSON.parse(body.toString()) as Partial<ErrorBody>;
    if (parsed.error && typeof parsed.error.message === "string") {
      return {
        status,
        code: parsed.error.code ?? "unknown",
        message: parsed.error.message,
        issues: parsed.error.issues,
      };
    }
  } catch {
    // Not JSON (a proxy's HTML page): fall through to a generic message.
  }
  return { status, code: `http_${status}`, message: `the server answered ${status}` };
};

export const createApiClient = (target: ApiTarget): ApiClient => {
  const base = `${target.apiUrl.replace(/\/+$/, "")}/v1/orgs/${segment(target.org)}/envs/${segment(target.env)}`;

  const call = async (
    method: string,
    path: string,
    options: {
      body?: string;
      contentType?: string;
      accept?: string;
      headers?: Record<string, string>;
      signal?: AbortSignal;
      redirect?: boolean;
    } = {},
  ): Promise<ApiResult<IncomingMessage>> => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${target.token}`,
      accept: options.accept ?? "application/json",
      ...options.headers,
    };
    if (options.contentType !== undefined) headers["content-type"] = options.contentType;
    try {
      const response = await send({
        method,
        url: new URL(`${base}/${path}`),
        headers,
        body: options.body,
        ca: target.ca,
        signal: options.signal,
      });
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) return { ok: true, value: response };
      // A redirect the caller asked for (artifact downloads point at presigned URLs).
      if (options.redirect && status >= 300 && status < 400) return { ok: true, value: response };
      return { ok: false, error: toApiError(status, await readBody(response)) };
    } catch (error) {
      const message =
        error instanceof ConnectError ? error.message : `request failed: ${(error as Error).message}`;
      return { ok: false, error: { status: 0, code: "unreachable", message } };
    }
  };

  const json = async <T>(
    method: string,
    path: string,
    options: Parameters<typeof call>[2] & { emptyIsNull?: boolean } = {},
  ): Promise<ApiResult<T>> => {
    const result = await call(method, path, options);
    if (!result.ok) return result;
    const body = await readBody(result.value);
    if (options.emptyIsNull && body.length === 0) return { ok: true, value: null as T };
    try {
      return { ok: true, value: JSON.parse(body.toString()) as T };
    } catch {
      return {
        ok: false,
        error: {
          status: result.value.statusCode ?? 0,
          code: "bad_response",
          message: "the server sent a response that is not JSON",
        },
      };
    }
  };

  // The client's base is the environment; the organization's credentials are two levels up.
  const credentials = (scope: CredentialScope, name?: string) =>
    `${scope === "org" ? "../../" : ""}credentials${name === undefined ? "" : `/${segment(name)}`}`;

  return {
    request: <T>(method: string, path: string, body?: { text: string; contentType: string }) =>
      json<T>(method, path, {
        ...(body ? { body: body.text, contentType: body.contentType } : {}),
        emptyIsNull: true,
      }),
    applyWorkflow: (name, text, contentType, options = {}) =>
      json("PUT", `workflows/${segment(name)}${options.dryRun ? "?dryRun=true" : ""}`, {
        body: text,
        contentType,
      }),
    async deleteWorkflow(name) {
      const result = await call("DELETE", `workflows/${segment(name)}`);
      if (!result.ok) return result;
      result.value.resume();
      return { ok: true, value: null };
    },
    putCredential: (scope, name, body) =>
      json("PUT", credentials(scope, name), { body: JSON.stringify(body), contentType: "application/json" }),
    listCredentials: (scope) => json("GET", credentials(scope)),
    async deleteCredential(scope, name) {
      const result = await call("DELETE", credentials(scope, name));
      if (!result.ok) return result;
      result.value.resume();
      return { ok: true, value: null };
    },
    listWorkflows: (labels) => json("GET", `workflows${labelQuery(labels)}`),
    applyTemplate: (name, text, contentType) =>
      json("PUT", `templates/${segment(name)}`, { body: text, contentType }),
    listTemplates: (labels) => json("GET", `templates${labelQuery(labels)}`),
    getTemplate: (name) => json("GET", `templates/${segment(name)}`),
    async deleteTemplate(name) {
      const result = await call("DELETE", `templates/${segment(name)}`);
      if (!result.ok) return result;
      result.value.resume();
      return { ok: true, value: null };
    },
    getWorkflow: (name) => json("GET", `workflows/${segment(name)}`),
    runWorkflow: (name, body) =>
      json("POST", `workflows/${segment(name)}/executions`, {
        body: JSON.stringify(body),
        contentType: "application/json",
      }),
    listExecutions(query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (Array.isArray(value)) for (const item of value) params.append(key, item);
        else if (value !== undefined) params.set(key, String(value));
      }
      const qs = params.toString();
      return json("GET", `executions${qs ? `?${qs}` : ""}`);
    },
    getExecution: (id) => json("GET", `executions/${segment(id)}`),
    abortExecution: (id) =>
      json("POST", `executions/${segment(id)}/abort`, { body: "{}", contentType: "application/json" }),
    pauseExecution: (id, action) =>
      json("POST", `executions/${segment(id)}/${action}`, { body: "{}", contentType: "application/json" }),
    rerunExecution: (id) =>
      json("POST", `executions/${segment(id)}/rerun`, { body: "{}", contentType: "application/json" }),
    async deleteExecution(id) {
      const result = await call("DELETE", `executions/${segment(id)}`);
      if (!result.ok) return result;
      result.value.resume();
      return { ok: true, value: null };
    },
    getReport: (id) => json("GET", `executions/${segment(id)}/report`),
    // The client's base is the environment; `/v1/me` is four levels up.
    me: () => json("GET", "../../../../me"),
    async getLogs(id, query = {}) {
      const qs = query.step ? `?step=${segment(query.step)}` : "";
      const result = await call("GET", `executions/${segment(id)}/logs${qs}`, { accept: "text/plain" });
      return result.ok ? { ok: true, value: await readBody(result.value) } : result;
    },
    async getLogSegments(id, query = {}) {
      const params = new URLSearchParams({ format: "json" });
      if (query.step) params.set("step", query.step);
      if (query.tail !== undefined) params.set("tail", String(query.tail));
      const result = await json<unknown>("GET", `executions/${segment(id)}/logs?${params}`);
      if (!result.ok) return result;
      const parsed = LogSegmentsBody.safeParse(result.value);
      return parsed.success
        ? { ok: true, value: parsed.data }
        : {
            ok: false,
            error: { status: 0, code: "bad_response", message: "the log segments are malformed" },
          };
    },
    async tailLogs(id, query) {
      const params = new URLSearchParams({ tail: String(query.tail) });
      if (query.step) params.set("step", query.step);
      const result = await call("GET", `executions/${segment(id)}/logs?${params}`, { accept: "text/plain" });
      if (!result.ok) return result;
      const total = Number(result.value.headers["x-log-length"] ?? 0);
      return { ok: true, value: { data: await readBody(result.value), total } };
    },
    listArtifacts: (id) => json("GET", `executions/${segment(id)}/artifacts`),
    async artifactUrl(id, path) {
      const encoded = path.split("/").map(segment).join("/");
      const result = await call("GET", `executions/${segment(id)}/artifacts/${encoded}`, { redirect: true });
      if (!result.ok) return result;
      result.value.resume();
      const location = result.value.headers.location;
      return location
        ? { ok: true, value: location }
        : { ok: false, error: { status: 0, code: "bad_response", message: "no download location" } };
    },
    openLogStream: (id, lastEventId, signal, step) =>
      call("GET", `executions/${segment(id)}/logs?follow=1${step ? `&step=${segment(step)}` : ""}`, {
        accept: "text/event-stream",
        headers: lastEventId === undefined ? {} : { "last-event-id": String(lastEventId) },
        signal,
      }),
  };
};
