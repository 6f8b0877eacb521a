/**
 * Planning `spec.pod.volumes` for a container runtime, kind by kind:
 *
 * - `emptyDir`: a fresh, empty directory per execution (and per parallel worker).
 * - `secret` / `configMap`: files from the environment's credentials, mounted read-only. Key
 *   `KEY` of secret (or config map) `NAME` is the credential `NAME.KEY`, as for `secretKeyRef`;
 *   `items` pick keys and name their files, otherwise every `NAME.*` credential becomes a file
 *   named after its key (the agent lists them, see bindSecretRefs). `defaultMode` / `mode` apply.
 * - `hostPath`: a directory of the agent's host; refused unless the agent allows host paths
 *   (feature `volumes.hostPath`), since it hands the host's files to the workflow.
 * - `persistentVolumeClaim`: the runtime's named volume of that claim name, kept between runs.
 *
 * Any other kind is refused with the path of the volume: the run would otherwise start without
 * files its steps expect.
 */
import type { PlanContext } from "./context.ts";
import type { PlannedFile, PlannedVolume } from "./types.ts";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const KNOWN = "emptyDir, configMap, secret, hostPath and persistentVolumeClaim";

const literal = (text: string) => JSON.stringify(text);

const modeOf = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0o777 ? value : undefined;

/** Files of a secret or config map volume: its `items`, each read from a credential. */
const filesOf = (source: Json, name: string, path: string, context: PlanContext): PlannedFile[] => {
  const optional = source.optional === true;
  const defaultMode = modeOf(source.defaultMode);
  const items = Array.isArray(source.items) ? source.items.filter(isObject) : [];
  return items.flatMap((item, i) => {
    const key = typeof item.key === "string" ? item.key : "";
    const file = typeof item.path === "string" && item.path !== "" ? item.path : key;
    if (key === "" || file.startsWith("/") || file.split("/").includes("..")) {
      context.refuse(
        "volumes",
        `${path}.items[${i}]`,
        "items need a key and a relative path inside the volume",
      );
      return [];
    }
    const call = `{{ secret(${literal(name)}, ${literal(key)}${optional ? ", true" : ""}) }}`;
    const content = context.text(call, `${path}.items[${i}]`);
    const mode = modeOf(item.mode) ?? defaultMode;
    return [mode === undefined ? { path: file, content } : { path: file, content, mode }];
  });
};

/** One volume, or undefined when it is refused (the refusal is recorded). */
const planVolume = (volume: Json, path: string, context: PlanContext): PlannedVolume | undefined => {
  const name = typeof volume.name === "string" ? volume.name : "";
  if (!/^[\w.-]+$/.test(name)) {
    context.refuse(
      "volumes",
      `${path}.name`,
      "a pod volume needs a name of letters, digits, '.', '_' or '-'",
    );
    return undefined;
  }
  if (volume.emptyDir !== undefined) return { name, kind: "emptyDir" };
  for (const kind of ["secret", "configMap"] as const) {
    const source = volume[kind];
    if (!isObject(source)) continue;
    const sourceName = kind === "secret" ? source.secretName : source.name;
    if (typeof sourceName !== "string" || sourceName === "") {
      const field = kind === "secret" ? "secretName" : "name";
      context.refuse("volumes", `${path}.${kind}`, `a ${kind} volume needs ${field}`);
      return undefined;
    }
    return {
      name,
      kind: "files",
      source: kind,
      files: filesOf(source, sourceName, `${path}.${kind}`, context),
    };
  }
  if (isObject(volume.hostPath)) {
    const written = volume.hostPath.path;
    const host = typeof written === "string" ? context.text(written, `${path}.hostPath.path`) : undefined;
    if (host === undefined || !host.startsWith("/")) {
      context.refuse("volumes", `${path}.hostPath.path`, "hostPath needs an absolute path");
      return undefined;
    }
    const allowed = context.require(
      "volumes.hostPath",
      `${path}.hostPath`,
      `hostPath volume "${name}" mounts ${host} of the agent's host, which this agent does not allow (start the agent with --allow-host-path to allow it)`,
    );
    return allowed ? { name, kind: "hostPath", path: host } : undefined;
  }
  if (isObject(volume.persistentVolumeClaim)) {
    const written = volume.persistentVolumeClaim.claimName;
    const claim =
      typeof written === "string" ? context.text(written, `${path}.persistentVolumeClaim.claimName`) : "";
    if (!/^[a-zA-Z0-9][\w.-]*$/.test(claim)) {
      context.refuse(
        "volumes",
        `${path}.persistentVolumeClaim.claimName`,
        "persistentVolumeClaim needs a claimName",
      );
      return undefined;
    }
    return {
      name,
      kind: "claim",
      claimName: claim,
      readOnly: volume.persistentVolumeClaim.readOnly === true,
    };
  }
  const kind = Object.keys(volume).find((k) => k !== "name") ?? "(none)";
  context.refuse(
    "volumes",
    path,
    `volume "${name}" is of kind ${kind}, which the container runtime cannot mount (it mounts ${KNOWN})`,
  );
  return undefined;
};

/** The volumes of `spec.pod` for a container runtime (refusals recorded in `context`). */
export const planPodVolumes = (volumes: unknown[], context: PlanContext): PlannedVolume[] =>
  volumes.flatMap((volume, i) => {
    const path = `spec.pod.volumes[${i}]`;
    if (!isObject(volume)) {
      context.refuse("volumes", path, "a pod volume must be an object");
      return [];
    }
    const planned = planVolume(volume, path, context);
    return planned === undefined ? [] : [planned];
  });
