/** The workflow onboarding applies and runs; the same one local mode installs. */
export { SAMPLE_WORKFLOW, SAMPLE_WORKFLOW_NAME } from "@assay/shared/samples";
