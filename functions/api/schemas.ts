/** Path parameter and response schemas shared by the route specs. */
import {
  ERROR_CODES,
  ExecutionId,
  KeyValueFilters,
  lazySchema,
  OrgView,
  Slug,
  UserView,
  WorkflowName,
} from "@assay/shared";
import * as z from "zod";

export const OrgParams = lazySchema(() => z.object({ org: Slug }));
export const EnvParams = lazySchema(() => z.object({ org: Slug, env: Slug }));
export const MemberParams = lazySchema(() =>
  z.object({
    org: Slug,
    user: z.string().regex(/^usr_[0-9a-f]{20}$/, "must be a user id"),
  }),
);
export const InvitationParams = lazySchema(() =>
  z.object({
    org: Slug,
    id: z.string().regex(/^inv_[0-9a-f]{20}$/, "must be an invitation id"),
  }),
);
export const TokenParams = lazySchema(() =>
  z.object({
    org: Slug,
    id: z.string().regex(/^tok_[0-9a-f]{16}$/, "must be a token id"),
  }),
);
export const EnvTokenParams = lazySchema(() => EnvParams.extend({ id: TokenParams.shape.id }));
export const AcceptParams = lazySchema(() => z.object({ token: z.string().min(1).max(200) }));
export const WorkflowParams = lazySchema(() => EnvParams.extend({ name: WorkflowName }));
export const ExecutionParams = lazySchema(() => EnvParams.extend({ id: ExecutionId }));
export const TemplateParams = WorkflowParams;
/** `?label=k=v` (repeatable), as the workflow and template listings parse it. */
export const LabelQuery = lazySchema(() => z.object({ label: KeyValueFilters.optional() }));
/** A warning about one field of a document. */
export const FieldWarning = lazySchema(() => z.string());

export const ErrorResponse = lazySchema(() =>
  z.object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      issues: z
        .array(
          z.object({
            path: z.string(),
            message: z.string(),
            line: z.number().optional(),
            column: z.number().optional(),
          }),
        )
        .optional(),
      requestId: z.string().optional(),
    }),
  }),
);

export const MessageResponse = lazySchema(() => z.object({ message: z.string() }));
export const SessionResponse = lazySchema(() => z.object({ user: UserView, expiresAt: z.string() }));
export const SignedUpResponse = lazySchema(() =>
  z.object({
    user: UserView,
    /** The organization the account landed in: the one it was invited to, or its own. */
    org: OrgView,
    /** True when the sign-up came from an invitation and joined its organization. */
    joined: z.boolean(),
    expiresAt: z.string(),
  }),
);
export const MeResponse = lazySchema(() =>
  z.union([
    z.object({ kind: z.literal("user"), user: UserView, orgs: z.array(OrgView), dashboardUrl: z.string() }),
    z.object({
      kind: z.literal("api"),
      token: z.object({ id: z.string(), orgId: Slug, role: z.string() }),
      orgs: z.array(OrgView),
      /** Where the dashboard is (links to executions: `{dashboardUrl}/orgs/{org}/envs/{env}/executions/{id}`). */
      dashboardUrl: z.string(),
    }),
  ]),
);

/** `{ items: T[] }`, the shape of every list. */
export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** Standard error responses of routes behind authentication. */
export const authErrors = {
  400: { description: "Invalid input", schema: ErrorResponse },
  401: { description: "Not signed in, or an invalid, expired or revoked token", schema: ErrorResponse },
  403: { description: "Role too low, or missing CSRF header on a cookie request", schema: ErrorResponse },
  404: { description: "Not found (including anything of another organization)", schema: ErrorResponse },
  429: { description: "Rate or plan limit reached (see Retry-After)", schema: ErrorResponse },
} as const;
