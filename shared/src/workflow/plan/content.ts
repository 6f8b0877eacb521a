/**
 * A step's or the workflow's `content` and a step's `artifacts`, in the plan's structured form.
 * Inline files are planned in full (a runner that writes them declares `content.files`); Git,
 * tarball and OCI content and artifact collection are reported until a runner declares them.
 */
import type { Content } from "../schema/content.ts";
import type { StepArtifacts } from "../schema/operations.ts";
import type { PlanContext } from "./context.ts";
import { resolveInteger } from "./resolve.ts";
import type { PlannedArtifacts, PlannedFile } from "./types.ts";

/** Plan `content` found at `path`; returns the inline files, if any. */
export const planContent = (
  content: Content | undefined,
  path: string,
  context: PlanContext,
  ref?: string,
): PlannedFile[] | undefined => {
  if (content === undefined) return undefined;
  if (content.git !== undefined) {
    const uri = content.git.uri === undefined ? "" : ` (${content.git.uri})`;
    context.require(
      "content.git",
      `${path}.git`,
      `content.git${uri} is not checked out by this agent yet`,
      ref,
    );
  }
  if (content.tarball !== undefined && content.tarball.length > 0) {
    context.require(
      "content.tarball",
      `${path}.tarball`,
      "content.tarball is not downloaded by this agent yet",
      ref,
    );
  }
  if (content.oci !== undefined) {
    context.require("content.oci", `${path}.oci`, "content.oci is not pulled by this agent yet", ref);
  }
  if (content.files === undefined || content.files.length === 0) return undefined;
  context.require("content.files", `${path}.files`, "content.files are not written by this agent yet", ref);
  return content.files.map((file, i) => {
    const at = `${path}.files[${i}]`;
    if (file.contentFrom !== undefined) {
      const message = "contentFrom reads a Kubernetes source, which the process runner cannot";
      context.require("env.valueFrom", `${at}.contentFrom`, message, ref);
    }
    const planned: PlannedFile = {
      path: context.text(file.path, `${at}.path`, ref),
      content: context.text(file.content ?? "", `${at}.content`, ref),
    };
    if (file.mode !== undefined) {
      const mode = resolveInteger(file.mode, context);
      if (mode.ok) planned.mode = mode.value;
      else context.require("expressions", `${at}.mode`, `mode: ${mode.reason}`, ref);
    }
    return planned;
  });
};

/** Plan a step's `artifacts` found at `path`. */
export const planArtifacts = (
  artifacts: StepArtifacts | undefined,
  path: string,
  context: PlanContext,
  ref: string,
): PlannedArtifacts | undefined => {
  if (artifacts === undefined) return undefined;
  context.require("artifacts", path, "artifacts are not collected by this agent yet", ref);
  const planned: PlannedArtifacts = {
    paths: (artifacts.paths ?? []).map((p, i) => context.text(p, `${path}.paths[${i}]`, ref)),
  };
  if (artifacts.workingDir !== undefined) {
    planned.workingDir = context.text(artifacts.workingDir, `${path}.workingDir`, ref);
  }
  if (artifacts.compress !== undefined)
    planned.compress = context.text(artifacts.compress.name, `${path}.compress.name`, ref);
  return planned;
};
