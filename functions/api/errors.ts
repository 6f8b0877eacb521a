/**
 * The HTTP side of the error vocabulary: the only place an error becomes a status code.
 * Unknown errors become `internal` with a request id; their message and stack stay in the log.
 */
import { AppError, type ErrorBody, HTTP_STATUS, isAppError } from "@assay/shared";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "../core/ports.ts";

export function errorBody(error: AppError, requestId?: string): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.issues ? { issues: error.issues } : {}),
      ...(requestId ? { requestId } : {}),
    },
  };
}

export function createErrorHandler(logger: Logger) {
  return (error: Error, c: Context) => {
    const requestId = c.get("requestId" as never) as string | undefined;
    let appError: AppError;
    if (isAppError(error)) appError = error;
    else if (error instanceof HTTPException && error.status < 500) {
      appError = new AppError(error.status === 413 ? "payload_too_large" : "invalid_argument", error.message);
    } else {
      logger.error({ requestId, err: error.message, stack: error.stack }, "unhandled error");
      appError = new AppError("internal", "internal error");
    }
    if (appError.retryAfterSeconds) c.header("Retry-After", String(appError.retryAfterSeconds));
    return c.json(errorBody(appError, requestId), HTTP_STATUS[appError.code] as ContentfulStatusCode);
  };
}
