/**
 * Configuration parameters (`spec.config`) and template references (`use`, `template`).
 * A parameter without a `default` is required when the workflow is run.
 */
import * as z from "zod";
import { lazySchema } from "../../lazy-schema.ts";
import { BoolOrExpression, Scalar } from "./primitives.ts";

/** Parameter types Testkube knows; `string` when omitted. */
export const PARAMETER_TYPES = ["string", "integer", "number", "boolean"] as const;

/** One configuration parameter (Testkube's `ParameterSchema`). */
export const ParameterSchema = lazySchema(() =>
  z.strictObject({
    description: z.string().optional(),
    type: z.enum(PARAMETER_TYPES).optional(),
    enum: z.array(z.string()).optional(),
    example: Scalar.optional(),
    /** Default value; when absent the parameter must be given at run time. */
    default: Scalar.optional(),
    /** Store the value as a secret and mask it in logs. */
    sensitive: BoolOrExpression.optional(),
    // string constraints
    format: z.string().optional(),
    pattern: z.string().optional(),
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().nonnegative().optional(),
    // number constraints
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    exclusiveMinimum: z.number().optional(),
    exclusiveMaximum: z.number().optional(),
    multipleOf: z.number().optional(),
  }),
);
export type ParameterSchema = z.infer<typeof ParameterSchema>;

/** `spec.config`: parameter name -> schema. */
export const ConfigSchema = lazySchema(() => z.record(z.string(), ParameterSchema));
export type ConfigSchema = z.infer<typeof ConfigSchema>;

/** A reference to a TestWorkflowTemplate with values for its config (`use[]`, `template`). */
export const TemplateRef = lazySchema(() =>
  z.strictObject({
    name: z.string().min(1),
    config: z.record(z.string(), Scalar).optional(),
  }),
);
export type TemplateRef = z.infer<typeof TemplateRef>;
