/**
 * The config-sealing key of an AWS process. On AWS the stacks pass only the secret's ARN
 * (`ASSAY_CONFIG_KEY_SECRET_ARN`): the value is read from Secrets Manager once, at init, and kept
 * for the life of the process, so it never sits in a function's configuration. The ingress gets
 * the value itself (`ASSAY_CONFIG_KEY`, injected by ECS from the same secret), as may a local run.
 */
import { AppError } from "@assay/shared";
import type { AwsConfig } from "./aws-config.ts";

export async function loadConfigKey(config: AwsConfig): Promise<string | undefined> {
  if (config.ASSAY_CONFIG_KEY) return config.ASSAY_CONFIG_KEY;
  const arn = config.ASSAY_CONFIG_KEY_SECRET_ARN;
  if (!arn) return undefined;
  // Loaded only by the processes that seal values (the API handler and the dispatcher).
  const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
  const client = new SecretsManagerClient({ region: config.AWS_REGION });
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  client.destroy();
  if (!SecretString) throw new AppError("unavailable", `secret ${arn} holds no string value`);
  return SecretString;
}
