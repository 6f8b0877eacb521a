/**
 * A step's or the workflow's `content` and a step's `artifacts`, in the plan's structured form.
 * Inline files are planned in full (a runner that writes them declares `content.files`); Git,
 * tarball and OCI content and artifact collection are reported until a runner declares them.
 */
import type { Content } from "../schema/content.ts";
import type { StepArtifacts } from "../schema/operations.ts";
import type { PlanContext } from "./context.ts";
import { resolveBoolean, resolveInteger } from "./resolve.ts";
import type { PlannedArtifacts, PlannedFile, PlannedGit, PlannedTarball } from "./types.ts";

/** Plan `content` found at `path`; returns the inline files, if any. */
export const planContent = (
  content: Content | undefined,
  path: string,
  context: PlanContext,
  ref?: string,
): PlannedFile[] | undefined => {
  if (content === undefined) return undefined;
  if (content.oci !== undefined) {
    context.require("content.oci", `${path}.oci`, "content.oci is not pulled by this agent yet", ref);
  }
  if (content.files === undefined || content.files.length === 0) return undefined;
  context.require("content.files", `${path}.files`, "content.files are not written by this agent yet", ref);
  return content.files.map((file, i) => {
    const at = `${path}.files[${i}]`;
    if (file.contentFrom !== undefined) {
      const message =
        "contentFrom takes a secretKeyRef or configMapKeyRef with a name and a key (read from the credentials at run time)";
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

/** Plan the Git checkout and tarballs of `content` found at `path`. */
export const planFetch = (
  content: Content | undefined,
  path: string,
  context: PlanContext,
  ref?: string,
): { git?: PlannedGit; tarballs?: PlannedTarball[] } => {
  const out: { git?: PlannedGit; tarballs?: PlannedTarball[] } = {};
  const git = content?.git;
  if (git !== undefined) {
    const at = `${path}.git`;
    const uri = git.uri === undefined ? "" : ` (${git.uri})`;
    context.require("content.git", at, `content.git${uri} is not checked out by this agent`, ref);
    for (const key of ["usernameFrom", "tokenFrom", "sshKeyFrom"] as const) {
      if (git[key] !== undefined) {
        const message = `content.git.${key} takes a secretKeyRef with a name and a key (read from the credentials at run time)`;
        context.require("env.valueFrom", `${at}.${key}`, message, ref);
      }
    }
    if (git.uri === undefined || git.uri === "") {
      context.refuse("content.git", `${at}.uri`, "content.git needs a uri", ref);
    } else {
      const planned: PlannedGit = {
        uri: context.text(git.uri, `${at}.uri`, ref),
        mountPath: context.text(git.mountPath ?? "/data/repo", `${at}.mountPath`, ref),
      };
      if (git.revision !== undefined) planned.revision = context.text(git.revision, `${at}.revision`, ref);
      if (git.username !== undefined) planned.username = context.text(git.username, `${at}.username`, ref);
      if (git.token !== undefined) planned.token = context.text(git.token, `${at}.token`, ref);
      if (git.sshKey !== undefined) planned.sshKey = context.text(git.sshKey, `${at}.sshKey`, ref);
      if (git.authType !== undefined) planned.authType = git.authType === "header" ? "header" : "basic";
      if (git.paths !== undefined)
        planned.paths = git.paths.map((p, i) => context.text(p, `${at}.paths[${i}]`, ref));
      if (git.cone !== undefined) {
        const cone = resolveBoolean(git.cone, context);
        if (cone.ok) planned.cone = cone.value;
      }
      out.git = planned;
    }
  }
  if (content?.tarball !== undefined && content.tarball.length > 0) {
    const at = `${path}.tarball`;
    context.require("content.tarball", at, "content.tarball is not downloaded by this agent", ref);
    out.tarballs = content.tarball.map((t, i) => ({
      url: context.text(t.url, `${at}[${i}].url`, ref),
      path: context.text(t.path, `${at}[${i}].path`, ref),
    }));
  }
  return out;
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
