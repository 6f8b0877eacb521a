/**
 * Specs of the workflow, template, execution, log and artifact routes (routes/workflows.ts,
 * templates.ts, executions.ts, logs.ts, artifacts.ts). Those handlers parse with the same shared schemas referenced here; this file only
 * adds the method, path and responses for the OpenAPI document.
 */
import {
  ApplyWorkflowQuery,
  ApplyWorkflowResponse,
  CreateExecution,
  ExecutionView,
  KeyValueFilters,
  ListExecutionsQuery,
  WorkflowView,
} from "@assay/shared";
import * as z from "zod";
import { defineRoute } from "../route-spec.ts";
import { ENV_BASE } from "../routes/envs.ts";
import { authErrors, ErrorResponse, ExecutionParams, itemsOf, WorkflowParams } from "../schemas.ts";

const FieldWarning = z.string();

/** `?label=k=v` (repeatable), as the workflow and template listings parse it. */
const LabelQuery = z.object({ label: KeyValueFilters.optional() });
const TemplateParams = WorkflowParams;

/**
 * Mirror of the (unexported) query schema in routes/logs.ts, which is being extended right now.
 * TODO(api): export LogQuery there and import it here, so this cannot drift.
 */
const LogQueryDoc = z
  .object({
    step: z.string().max(64).optional(),
    follow: z.enum(["1", "true", "0", "false"]).optional(),
    offset: z.coerce.number().int().nonnegative().optional(),
    length: z.coerce.number().int().positive().optional(),
    tail: z.coerce.number().int().min(1).max(1_000_000).optional(),
    download: z.enum(["1", "true", "0", "false"]).optional(),
  })
  .strict();

export const coreRouteSpecs = {
  applyWorkflow: defineRoute({
    method: "put",
    path: `${ENV_BASE}/workflows/:name`,
    summary: "Create or replace a TestWorkflow (YAML or JSON text) (member)",
    tag: "workflows",
    auth: "any",
    params: WorkflowParams,
    query: ApplyWorkflowQuery,
    body: z.string().describe("A TestWorkflow document whose metadata.name is the path's name"),
    bodyContentType: "application/yaml",
    responses: {
      200: { description: "Replaced, or checked only (dryRun)", schema: ApplyWorkflowResponse },
      201: { description: "Created", schema: ApplyWorkflowResponse },
      ...authErrors,
    },
  }),
  deleteWorkflow: defineRoute({
    method: "delete",
    path: `${ENV_BASE}/workflows/:name`,
    summary: "Delete a workflow and its schedules; its executions stay readable (member)",
    tag: "workflows",
    auth: "any",
    params: WorkflowParams,
    responses: { 204: { description: "Deleted" }, ...authErrors },
  }),
  listWorkflows: defineRoute({
    method: "get",
    path: `${ENV_BASE}/workflows`,
    summary: "Workflows of the environment",
    tag: "workflows",
    auth: "any",
    params: WorkflowParams.omit({ name: true }),
    query: LabelQuery,
    responses: { 200: { description: "Workflows", schema: itemsOf(WorkflowView) }, ...authErrors },
  }),
  getWorkflow: defineRoute({
    method: "get",
    path: `${ENV_BASE}/workflows/:name`,
    summary: "A workflow with its source",
    tag: "workflows",
    auth: "any",
    params: WorkflowParams,
    responses: { 200: { description: "The workflow", schema: WorkflowView }, ...authErrors },
  }),
  startExecution: defineRoute({
    method: "post",
    path: `${ENV_BASE}/workflows/:name/executions`,
    summary: "Run a workflow (member); 429 when the plan's concurrent executions are taken",
    tag: "executions",
    auth: "any",
    params: WorkflowParams,
    body: CreateExecution,
    responses: { 201: { description: "Queued", schema: ExecutionView }, ...authErrors },
  }),
  listExecutions: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions`,
    summary: "Executions, newest first, cursor paginated",
    tag: "executions",
    auth: "any",
    params: ExecutionParams.omit({ id: true }),
    query: ListExecutionsQuery,
    responses: {
      200: {
        description: "A page",
        schema: z.object({ items: z.array(ExecutionView), nextCursor: z.string().optional() }),
      },
      ...authErrors,
    },
  }),
  getExecution: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id`,
    summary: "An execution",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: { 200: { description: "The execution", schema: ExecutionView }, ...authErrors },
  }),
  abortExecution: defineRoute({
    method: "post",
    path: `${ENV_BASE}/executions/:id/abort`,
    summary: "Abort an execution (member)",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: {
      202: { description: "Abort requested", schema: ExecutionView },
      409: { description: "Already finished", schema: ErrorResponse },
      ...authErrors,
    },
  }),
  pauseExecution: defineRoute({
    method: "post",
    path: `${ENV_BASE}/executions/:id/pause`,
    summary: "Pause a running execution: its processes stop and no step starts until it is resumed (member)",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: {
      202: { description: "Pause requested", schema: ExecutionView },
      409: { description: "Not running", schema: ErrorResponse },
      ...authErrors,
    },
  }),
  resumeExecution: defineRoute({
    method: "post",
    path: `${ENV_BASE}/executions/:id/resume`,
    summary: "Resume a paused execution (member)",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: {
      202: { description: "Resume requested", schema: ExecutionView },
      409: { description: "Not running", schema: ErrorResponse },
      ...authErrors,
    },
  }),
  rerunExecution: defineRoute({
    method: "post",
    path: `${ENV_BASE}/executions/:id/rerun`,
    summary:
      "Run an execution's workflow again with its config and tags (member); the new execution's rerunOf names it",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: { 201: { description: "Queued", schema: ExecutionView }, ...authErrors },
  }),
  deleteExecution: defineRoute({
    method: "delete",
    path: `${ENV_BASE}/executions/:id`,
    summary: "Delete a finished execution and its logs and artifacts (member)",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: {
      204: { description: "Deleted" },
      409: { description: "Still running", schema: ErrorResponse },
      ...authErrors,
    },
  }),
  logs: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id/logs`,
    summary:
      "The log as text, or followed live as server-sent events (follow=1 or Accept: text/event-stream)",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    query: LogQueryDoc,
    responses: {
      200: {
        description: "Log text (text/plain) or an SSE stream (text/event-stream)",
        contentType: "text/plain",
      },
      ...authErrors,
    },
  }),
  artifacts: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id/artifacts`,
    summary: "The artifact files of an execution, with sizes",
    tag: "artifacts",
    auth: "any",
    params: ExecutionParams,
    responses: {
      200: {
        description: "Files",
        schema: z.object({ files: z.array(z.looseObject({ path: z.string(), size: z.number() })) }).loose(),
      },
      ...authErrors,
    },
  }),
  report: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id/report`,
    summary: "Test cases parsed from the JUnit XML among the artifacts",
    tag: "artifacts",
    auth: "any",
    params: ExecutionParams,
    responses: { 200: { description: "The report", schema: z.looseObject({}) }, ...authErrors },
  }),
  artifactsArchive: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id/artifacts.tar.gz`,
    summary: "Every artifact file as one streamed tar.gz",
    tag: "artifacts",
    auth: "any",
    params: ExecutionParams,
    responses: { 200: { description: "A gzip tarball", contentType: "application/gzip" }, ...authErrors },
  }),
  artifactFile: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id/artifacts/*`,
    summary: "One artifact file: a redirect to a short-lived presigned URL",
    tag: "artifacts",
    auth: "any",
    params: ExecutionParams.extend({ path: z.string().describe("the file's path inside the artifacts") }),
    responses: { 302: { description: "Redirect to the file" }, ...authErrors },
  }),
  applyTemplate: defineRoute({
    method: "put",
    path: `${ENV_BASE}/templates/:name`,
    summary: "Create or replace a TestWorkflowTemplate (YAML or JSON text) (member)",
    tag: "workflows",
    auth: "any",
    params: TemplateParams,
    body: z.string().describe("A TestWorkflowTemplate document whose metadata.name is the path's name"),
    bodyContentType: "application/yaml",
    responses: {
      200: {
        description: "Replaced",
        schema: z.object({ template: WorkflowView, warnings: z.array(FieldWarning) }),
      },
      201: {
        description: "Created",
        schema: z.object({ template: WorkflowView, warnings: z.array(FieldWarning) }),
      },
      ...authErrors,
    },
  }),
  listTemplates: defineRoute({
    method: "get",
    path: `${ENV_BASE}/templates`,
    summary: "Templates of the environment",
    tag: "workflows",
    auth: "any",
    params: TemplateParams.omit({ name: true }),
    query: LabelQuery,
    responses: { 200: { description: "Templates", schema: itemsOf(WorkflowView) }, ...authErrors },
  }),
  getTemplate: defineRoute({
    method: "get",
    path: `${ENV_BASE}/templates/:name`,
    summary: "A template with its source",
    tag: "workflows",
    auth: "any",
    params: TemplateParams,
    responses: { 200: { description: "The template", schema: WorkflowView }, ...authErrors },
  }),
  deleteTemplate: defineRoute({
    method: "delete",
    path: `${ENV_BASE}/templates/:name`,
    summary: "Delete a template (member)",
    tag: "workflows",
    auth: "any",
    params: TemplateParams,
    responses: { 204: { description: "Deleted" }, ...authErrors },
  }),
};
