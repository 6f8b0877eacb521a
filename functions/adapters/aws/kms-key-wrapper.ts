/**
 * KeyWrapper on AWS KMS: data keys come from `GenerateDataKey` (AES_256) under the control
 * plane's key and are unwrapped with `Decrypt`; the organization is the encryption context, so
 * a wrapped key of one org does not decrypt as another's (and CloudTrail shows which org a
 * call served). The KMS client is loaded on first use: most requests touch no credential.
 */
import { AppError } from "@assay/shared";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { KeyWrapper } from "../../core/ports/key-wrapper.ts";

export function createKmsKeyWrapper(config: {
  keyId: string;
  region: string;
  endpoint?: string;
}): KeyWrapper {
  let loaded: Promise<{ client: KMSClient; sdk: typeof import("@aws-sdk/client-kms") }> | undefined;
  const load = () => {
    loaded ??= import("@aws-sdk/client-kms").then((sdk) => ({
      sdk,
      client: new sdk.KMSClient({ region: config.region, endpoint: config.endpoint }),
    }));
    return loaded;
  };
  const context = (orgId: string) => ({ "assay:org": orgId });
  /** Sends one KMS call; what KMS or the network refuses becomes an AppError that names it. */
  const send = async <T>(
    call: (client: KMSClient, sdk: typeof import("@aws-sdk/client-kms")) => Promise<T>,
  ) => {
    const { client, sdk } = await load();
    try {
      return await call(client, sdk);
    } catch (err) {
      throw kmsError(err, config.keyId);
    }
  };

  return {
    async generate(orgId) {
      const out = await send((client, sdk) =>
        client.send(
          new sdk.GenerateDataKeyCommand({
            KeyId: config.keyId,
            KeySpec: "AES_256",
            EncryptionContext: context(orgId),
          }),
        ),
      );
      if (out.Plaintext === undefined || out.CiphertextBlob === undefined)
        throw new AppError("internal", "KMS returned no data key");
      return {
        plain: out.Plaintext,
        wrapped: `kms.${Buffer.from(out.CiphertextBlob).toString("base64url")}`,
      };
    },
    async unwrap(orgId, wrapped) {
      if (!wrapped.startsWith("kms.")) throw new AppError("internal", "the data key was not wrapped by KMS");
      const out = await send((client, sdk) =>
        client.send(
          new sdk.DecryptCommand({
            KeyId: config.keyId,
            CiphertextBlob: Buffer.from(wrapped.slice("kms.".length), "base64url"),
            EncryptionContext: context(orgId),
          }),
        ),
      );
      if (out.Plaintext === undefined) throw new AppError("internal", "KMS returned no plaintext");
      return out.Plaintext;
    },
  };
}

/** KMS errors that mean "try again later": throttling, an unreachable endpoint, KMS's own fault. */
const TRANSIENT = new Set(["ThrottlingException", "KMSInternalException", "DependencyTimeoutException"]);

function kmsError(err: unknown, keyId: string): AppError {
  if (err instanceof AppError) return err;
  const name = err instanceof Error ? err.name : "Error";
  const fault = (err as { $fault?: string }).$fault;
  const answered =
    (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined;
  if (!answered || fault === "server" || TRANSIENT.has(name))
    return new AppError("unavailable", `the credential key service (KMS) is unavailable: ${name}`);
  return new AppError("internal", `KMS refused the call for key ${keyId}: ${name}`);
}
