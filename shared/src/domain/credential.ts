/**
 * Credentials: named values an organization or one of its environments keeps for its runs.
 * A `secret` is never shown again after it is set and is masked in logs; a `variable` can be
 * read back by members. Names follow Kubernetes secret names and keys (`db`, `db.password`) so
 * that `secretKeyRef: { name: db, key: password }` maps onto them (see docs/credentials.md).
 */
import * as z from "zod";
import { lazySchema } from "../lazy-schema.ts";

/** Longest credential value, in bytes of UTF-8 (64 KiB: keys and certificates fit). */
export const MAX_CREDENTIAL_BYTES = 64 * 1024;

export const CredentialName = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(253)
    .regex(
      /^[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?$/,
      "letters, digits, '.', '_' and '-', not starting or ending with '.' or '-'",
    ),
);
export type CredentialName = z.infer<typeof CredentialName>;

export const CredentialKind = lazySchema(() => z.enum(["secret", "variable"]));
export type CredentialKind = z.infer<typeof CredentialKind>;

/** Body of `PUT .../credentials/{name}`. */
export const PutCredentialBody = lazySchema(() =>
  z
    .object({
      value: z.string().refine((v) => new TextEncoder().encode(v).length <= MAX_CREDENTIAL_BYTES, {
        message: `at most ${MAX_CREDENTIAL_BYTES} bytes`,
      }),
      kind: CredentialKind.default("secret"),
    })
    .strict(),
);
export type PutCredentialBody = z.infer<typeof PutCredentialBody>;

/** A credential as the API shows it: metadata, plus the value of a variable to members. */
export const CredentialView = lazySchema(() =>
  z.object({
    name: CredentialName,
    kind: CredentialKind,
    /** `org` for the organization's, `env` for one environment's (which wins at run time). */
    scope: z.enum(["org", "env"]),
    envId: z.string().optional(),
    /** Starts at 1; every PUT of an existing name (a rotation) adds one. */
    version: z.number().int().positive(),
    createdAt: z.string(),
    updatedAt: z.string(),
    /** Who set the current value (email or API token id). */
    updatedBy: z.string(),
    /** Only for variables, and only to members and above. */
    value: z.string().optional(),
  }),
);
export type CredentialView = z.infer<typeof CredentialView>;
