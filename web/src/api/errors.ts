/**
 * Errors as the dashboard sees them: the API's error body (code, message safe to show, field
 * issues with line/column) or a network failure, in one shape every page can display.
 */
import type { ErrorBody, ErrorCode, FieldIssue } from "@assay/shared";

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | "network";
  readonly issues: FieldIssue[];
  readonly requestId: string | undefined;

  constructor(
    status: number,
    code: ErrorCode | "network",
    message: string,
    issues: FieldIssue[] = [],
    requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.issues = issues;
    this.requestId = requestId;
  }
}

export const isApiError = (value: unknown): value is ApiError => value instanceof ApiError;

/** Reads an error response; bodies that are not the API's shape still give a readable message. */
export async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (body.error && typeof body.error.message === "string") {
      const { code, message, issues, requestId } = body.error;
      return new ApiError(response.status, code ?? "internal", message, issues ?? [], requestId);
    }
  } catch {
    // Not JSON: fall through.
  }
  const message = text.trim().slice(0, 300) || `${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, response.status >= 500 ? "internal" : "invalid_argument", message);
}

/** A message for any thrown value. */
export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "string" ? error : "Something went wrong";
