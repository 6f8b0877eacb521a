/**
 * The two document kinds of the `testworkflows.testkube.io/v1` API: `TestWorkflow` (what Assay
 * stores and runs) and `TestWorkflowTemplate` (reusable pieces a workflow `use`s).
 */
import * as z from "zod";
import { lazySchema } from "../../lazy-schema.ts";
import { ObjectMeta } from "./scheduling.ts";
import { TestWorkflowSpec, TestWorkflowTemplateSpec, WorkflowStatus } from "./steps.ts";

/** The API version every document must declare. */
export const WORKFLOW_API_VERSION = "testworkflows.testkube.io/v1";

/** Document kinds this package understands. */
export const WORKFLOW_KINDS = ["TestWorkflow", "TestWorkflowTemplate"] as const;
export type WorkflowKind = (typeof WORKFLOW_KINDS)[number];

const apiVersion = lazySchema(() =>
  z.literal(WORKFLOW_API_VERSION, {
    error: `apiVersion must be "${WORKFLOW_API_VERSION}"`,
  }),
);

/** A TestWorkflow document. */
export const TestWorkflow = lazySchema(() =>
  z.strictObject({
    apiVersion,
    kind: z.literal("TestWorkflow"),
    metadata: ObjectMeta,
    description: z.string().optional(),
    spec: TestWorkflowSpec,
    status: WorkflowStatus.optional(),
  }),
);
export type TestWorkflow = z.infer<typeof TestWorkflow>;

/** A TestWorkflowTemplate document. */
export const TestWorkflowTemplate = lazySchema(() =>
  z.strictObject({
    apiVersion,
    kind: z.literal("TestWorkflowTemplate"),
    metadata: ObjectMeta,
    description: z.string().optional(),
    spec: TestWorkflowTemplateSpec,
  }),
);
export type TestWorkflowTemplate = z.infer<typeof TestWorkflowTemplate>;

/** Either kind of document. */
export type WorkflowDocument = TestWorkflow | TestWorkflowTemplate;
