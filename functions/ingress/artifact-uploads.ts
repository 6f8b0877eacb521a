/**
 * Artifact upload messages on an agent stream: the agent asks for presigned URLs for a bundle
 * and, once every byte is uploaded, reports completion; the answer is a grant or an ack. Bytes
 * never travel over the stream. Only the agent holding an execution may upload for it.
 * Refusals are answers (a grant with `error`, an ack with `reason`), not stream errors: one bad
 * bundle must not cut the stream that carries the execution's log. An execution that finished
 * takes no more artifacts (issue 15, item 2): its bundles are refused like another agent's.
 */
import { isAppError } from "@assay/shared";
import type { AgentMessage, ControlMessage } from "@assay/shared/proto";
import type { AgentLink } from "../core/agent-link/agent-link.ts";
import type { ArtifactService } from "../core/artifacts.ts";
import type { Logger } from "../core/ports.ts";

type ArtifactKind = Extract<AgentMessage["kind"], { $case: "artifactUpload" | "artifactComplete" }>;

export function createArtifactUploads(deps: { artifacts: ArtifactService; logger: Logger }) {
  const { artifacts, logger } = deps;

  const reasonOf = (error: unknown) => {
    if (isAppError(error)) return error.message;
    logger.error({ err: error instanceof Error ? error.message : String(error) }, "artifact upload failed");
    return "internal error in the ingress";
  };

  return {
    async handle(
      link: Pick<AgentLink, "agent" | "ownership">,
      kind: ArtifactKind,
      send: (message: ControlMessage) => void,
    ): Promise<void> {
      const { executionId, bundleId } = kind.value;
      const scope = link.agent;
      const { refusal } = await link.ownership(executionId);
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
        if (refusal) return refuse(refusal);
        try {
          const grant = await artifacts.grantUpload(
            { orgId: scope.orgId, envId: scope.envId, id: executionId },
            kind.value,
          );
          send({ kind: { $case: "artifactGrant", value: { executionId, bundleId, ...grant, error: "" } } });
        } catch (error) {
          refuse(reasonOf(error));
        }
        return;
      }
      const ack = (accepted: boolean, reason = "", retry = false) =>
        send({ kind: { $case: "artifactAck", value: { executionId, bundleId, accepted, reason, retry } } });
      if (refusal) return ack(false, refusal);
      try {
        const stepRef = bundleId;
        await artifacts.completeUpload(
          { orgId: scope.orgId, envId: scope.envId, id: executionId },
          { ...kind.value, stepRef },
        );
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
