/**
 * Local TLS for the ingress: on first start a self-signed certificate for localhost is generated
 * and kept in the data directory; later starts reuse it, so agents can pin it with `--ca-file`.
 * In AWS the load balancer terminates TLS with a real certificate and this is not used.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Clock, systemClock } from "@assay/shared";
import { generate } from "selfsigned";

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** Path of the certificate, which is also the CA an agent should trust. */
  certFile: string;
}

/** How long a generated certificate is valid: three years from its creation. */
const VALIDITY_MS = 3 * 365 * 24 * 3600 * 1000;

export async function ensureSelfSignedCertificate(
  dir: string,
  clock: Pick<Clock, "now"> = systemClock,
): Promise<TlsMaterial> {
  const certFile = join(dir, "ingress-cert.pem");
  const keyFile = join(dir, "ingress-key.pem");
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const notAfterDate = new Date(clock.now() + VALIDITY_MS);
    const pems = await generate([{ name: "commonName", value: "localhost" }], {
      keyType: "ec",
      curve: "P-256",
      algorithm: "sha256",
      notAfterDate,
      extensions: [
        { name: "basicConstraints", cA: true },
        { name: "keyUsage", digitalSignature: true, keyCertSign: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: [
            { type: 2, value: "localhost" },
            { type: 7, ip: "127.0.0.1" },
            { type: 7, ip: "::1" },
          ],
        },
      ],
    });
    writeFileSync(keyFile, pems.private, { mode: 0o600 });
    writeFileSync(certFile, pems.cert, { mode: 0o644 });
  }
  return { cert: readFileSync(certFile), key: readFileSync(keyFile), certFile };
}
