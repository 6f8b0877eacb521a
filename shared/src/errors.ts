/**
 * The one error vocabulary of Assay. Core code throws `AppError`; the HTTP layer (Hono's
 * `onError`) and the gRPC layer translate it with the tables below and nowhere else.
 */

/** Closed set of error codes, mirroring gRPC status codes. */
export const ERROR_CODES = [
  "invalid_argument",
  "unauthenticated",
  "permission_denied",
  "not_found",
  "already_exists",
  "failed_precondition",
  "resource_exhausted",
  /** A request body or document over a size limit (gRPC has no own code: RESOURCE_EXHAUSTED). */
  "payload_too_large",
  "aborted",
  "unavailable",
  "unimplemented",
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status for each code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 409,
  aborted: 409,
  resource_exhausted: 429,
  payload_too_large: 413,
  unimplemented: 501,
  unavailable: 503,
  internal: 500,
};

/** gRPC status number (grpc-js `status` enum values) for each code. */
export const GRPC_STATUS: Record<ErrorCode, number> = {
  invalid_argument: 3,
  unauthenticated: 16,
  permission_denied: 7,
  not_found: 5,
  already_exists: 6,
  failed_precondition: 9,
  aborted: 10,
  resource_exhausted: 8,
  payload_too_large: 8,
  unimplemented: 12,
  unavailable: 14,
  internal: 13,
};

/** One problem with one field of an input, named by its path (e.g. `spec.steps[0].run`). */
export interface FieldIssue {
  path: string;
  message: string;
  /** 1-based line in the source document, when the input was YAML or JSON text. */
  line?: number;
  column?: number;
}

/** An error meant to reach the caller: a code, a message safe to show, optional details. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly issues: FieldIssue[] | undefined;
  /** Seconds a client should wait before retrying (for `resource_exhausted`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: FieldIssue[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.issues = options.issues;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const isAppError = (value: unknown): value is AppError => value instanceof AppError;

/** The JSON body of every API error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: FieldIssue[]; requestId?: string };
}

/** Result type for clients that expect failure (agent -> control plane, web -> API). */
export type Result<T, E = AppError> = { ok: true; value: T } | { ok: false; error: E };
