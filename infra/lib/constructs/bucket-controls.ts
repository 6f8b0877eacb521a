/**
 * The Control Tower bucket controls the app's buckets do not follow, acknowledged with the same
 * reasons everywhere. Log and artifact data is versioned (restore after a mistaken delete, see
 * docs/deploy.md); access-log buckets are not (write-once logs that expire).
 */
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { acknowledgeGuard } from "../nag.ts";

export function acknowledgeBucketControls(bucket: IBucket, kind: "data" | "access-logs"): void {
  acknowledgeGuard(
    bucket,
    "s3_bucket_default_encryption_kms_check",
    "SSE-S3 (AES-256, AWS-managed): a KMS key would bill every log-chunk PUT and GET and require key grants behind every presigned URL agents and browsers use.",
  );
  acknowledgeGuard(
    bucket,
    "s3_bucket_object_lock_enabled_check",
    "Retention and execution cleanup must delete objects on schedule; Object Lock would keep them past what the plan promises.",
  );
  acknowledgeGuard(
    bucket,
    "s3_event_notifications_enabled_check",
    "Nothing consumes bucket events: completions are reported by the agent through the ingress, which enqueues the jobs.",
  );
  if (kind === "access-logs") {
    acknowledgeGuard(
      bucket,
      "s3_bucket_logging_enabled_check",
      "This is an access-log bucket; logging it into itself would loop.",
    );
    acknowledgeGuard(
      bucket,
      "s3_bucket_versioning_enabled_check",
      "Access logs are written once by the log delivery services and expire by lifecycle; versions would only add cost.",
    );
  }
}
