/** The config parameters (`spec.config`) a workflow or template declares, in document order. */
import type { ParameterSchema } from "@assay/shared/workflow";

export const configParameters = (document: { spec: unknown }): [string, ParameterSchema][] => {
  const spec = document.spec as { spec?: { config?: Record<string, ParameterSchema> } };
  return Object.entries(spec.spec?.config ?? {});
};
