/**
 * The two Control Tower controls every CloudWatch log group of the app fails, acknowledged in
 * one place with the same reasons: retention is a per-stage cost choice, and CloudWatch Logs
 * already encrypts at rest with service-owned keys.
 */
import type { ILogGroup } from "aws-cdk-lib/aws-logs";
import { acknowledgeGuard } from "../nag.ts";

export function acknowledgeLogGroup(logGroup: ILogGroup): void {
  acknowledgeGuard(
    logGroup,
    "cloudwatch_log_group_retention_period_check",
    "Retention is the stage's retention.cloudWatchLogs (two weeks in dev, three months in prod): operational logs, not an audit trail; a year of every function's logs costs more than it helps.",
  );
  acknowledgeGuard(
    logGroup,
    "cloudwatch_log_group_encrypted_check",
    "CloudWatch Logs encrypts every log group at rest with service-owned keys; a customer key per group adds cost and a key policy for no reader we need to exclude.",
  );
}
