/**
 * Artifact upload messages on an agent stream: the agent asks for presigned URLs for a bundle
 * and, once every byte is uploaded, reports completion; the answer is a grant or an ack. Bytes
 * never travel over the stream. Only the agent holding an execution may upload for it.
 * Refusals are answers (a grant with `error`, an ack with `reason`), not stream errors: one bad
 * bundle must not cut the stream that carries the execution's log.
 */
import { isAppError } from "@assay/shared";
import type { AgentMessage, ControlMessage } from "@assay/shared/proto";
import type { AgentWork } from "../core/agent-work.ts";
import type { ArtifactService } from "../core/artifacts.ts";
import type { Logger } from "../core/ports.ts";

type ArtifactKind = Extract<AgentMessage["kind"], { $case: "artifactUpload" | "artifactComplete" }>;

export interface UploadScope {
  orgId: string;
  envId: string;
  agentId: string;
}

export function createArtifactUploads(deps: { artifacts: ArtifactService; work: AgentWork; logger: Logger }) {
  const { artifacts, work, logger } = deps;

  const holds = async (scope: UploadScope, executionId: string) => {
    const execution = await work.get(scope.orgId, scope.envId, executionId);
    return execution !== undefined && execution.agentId === scope.agentId;
  };
  const reasonOf = (error: unknown) => {
    if (isAppError(error)) return error.message;
    logger.error({ err: error instanceof Error ? error.message : String(error) }, "artifact upload failed");
    return "internal error in the ingress";
  };

  return {
    async handle(
      scope: UploadScope,
      kind: ArtifactKind,
      send: (message: ControlMessage) => void,
    ): Promise<void> {
      const { executionId, bundleId } = kind.value;
      if (kind.$case === "artifactUpload") {
        const refuse = (error: string) =>
          send({
            kind: {
              $case: "artifactGrant",
              value: {
                executionId,
                bundleId,
                putUrl: "",
                uploadId: "",
                partSizeBytes: 0,
                parts: [],
                expiresAtMs: 0,
                error,
              },
            },
          });
        if (!(await holds(scope, executionId)))
          return refuse(`execution ${executionId} is not held by this agent`);
        try {
          const grant = await artifacts.grantUpload(scope.orgId, scope.envId, executionId, kind.value);
          send({ kind: { $case: "artifactGrant", value: { executionId, bundleId, ...grant, error: "" } } });
        } catch (error) {
          refuse(reasonOf(error));
        }
        return;
      }
      const ack = (accepted: boolean, reason = "", retry = false) =>
        send({ kind: { $case: "artifactAck", value: { executionId, bundleId, accepted, reason, retry } } });
      if (!(await holds(scope, executionId)))
        return ack(false, `execution ${executionId} is not held by this agent`);
      try {
        const stepRef = bundleId;
        await artifacts.completeUpload(scope.orgId, scope.envId, executionId, { ...kind.value, stepRef });
        ack(true);
      } catch (error) {
        // A missing or short object can be uploaded again; anything else will not improve.
        const retry =
          isAppError(error) && (error.code === "not_found" || error.code === "failed_precondition");
        ack(false, reasonOf(error), retry);
      }
    },
  };
}

export type ArtifactUploads = ReturnType<typeof createArtifactUploads>;
