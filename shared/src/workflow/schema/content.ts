/**
 * Content fetched into the execution before steps run: inline files, a Git checkout,
 * tarballs and OCI artifacts (Testkube's `Content`). By Testkube convention these land under
 * the shared `/data` volume (`/data/repo` for Git); see `data-path.ts` for how Assay maps it.
 */
import * as z from "zod";
import { lazySchema } from "../../lazy-schema.ts";
import { BoolOrExpression, IntOrExpression, KubeObject } from "./primitives.ts";

/** A Git checkout (`content.git`). Credentials may be inline or from a Kubernetes secret. */
export const ContentGit = lazySchema(() =>
  z.strictObject({
    uri: z.string().optional(),
    revision: z.string().optional(),
    username: z.string().optional(),
    usernameFrom: KubeObject.optional(),
    token: z.string().optional(),
    tokenFrom: KubeObject.optional(),
    sshKey: z.string().optional(),
    sshKeyFrom: KubeObject.optional(),
    /** `basic` or `header` (how the token is sent). */
    authType: z.string().optional(),
    /** Where the checkout lands; Testkube's default is `/data/repo`. */
    mountPath: z.string().optional(),
    /** Sparse checkout in cone mode. */
    cone: BoolOrExpression.optional(),
    /** Paths of a sparse checkout. */
    paths: z.array(z.string()).optional(),
    /** `quiet`, `normal` or `verbose` (Testkube's clone logging); accepted, not applied. */
    verbosity: z.enum(["quiet", "normal", "verbose"]).optional(),
    /** Testkube's in-process clone retry policy; accepted, not applied. */
    retry: z
      .strictObject({
        count: z.number().int().min(1).max(20).optional(),
        delay: z.string().optional(),
      })
      .optional(),
  }),
);
export type ContentGit = z.infer<typeof ContentGit>;

/** An inline file (`content.files[]`). */
export const ContentFile = lazySchema(() =>
  z.strictObject({
    path: z.string().min(1),
    content: z.string().optional(),
    contentFrom: KubeObject.optional(),
    /** File mode; YAML 1.1 octal (`0755`) is read as Kubernetes reads it. */
    mode: IntOrExpression.optional(),
  }),
);
export type ContentFile = z.infer<typeof ContentFile>;

/** A tarball downloaded and unpacked at `path` (`content.tarball[]`). */
export const ContentTarball = lazySchema(() =>
  z.strictObject({
    url: z.string(),
    path: z.string(),
    mount: BoolOrExpression.optional(),
  }),
);
export type ContentTarball = z.infer<typeof ContentTarball>;

/** An OCI artifact pulled as content (`content.oci`). */
export const ContentOci = lazySchema(() =>
  z.strictObject({
    image: z.string().optional(),
    mountPath: z.string().optional(),
    path: z.string().optional(),
    username: z.string().optional(),
    usernameFrom: KubeObject.optional(),
    token: z.string().optional(),
    tokenFrom: KubeObject.optional(),
    registry: z.string().optional(),
  }),
);
export type ContentOci = z.infer<typeof ContentOci>;

/** Content for the whole workflow (`spec.content`) or one step (`steps[].content`). */
export const Content = lazySchema(() =>
  z.strictObject({
    git: ContentGit.optional(),
    files: z.array(ContentFile).optional(),
    tarball: z.array(ContentTarball).optional(),
    oci: ContentOci.optional(),
  }),
);
export type Content = z.infer<typeof Content>;
