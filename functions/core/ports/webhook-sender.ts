/** One outbound request. */
export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What came of a request: an answer (any status) or a failure before one. */
export type OutboundResult =
  | { ok: true; statusCode: number; latencyMs: number; excerpt: string }
  | { ok: false; refused: boolean; latencyMs: number; error: string };

/**
 * Sends webhook requests. Implementations refuse addresses the deployment forbids (`refused`),
 * follow no redirects, and bound the time and the bytes read of the answer.
 */
export interface WebhookSender {
  send(request: OutboundRequest): Promise<OutboundResult>;
  /** Rejects with `invalid_argument` when the URL itself is unacceptable (scheme, literal address). */
  checkUrl(url: string): Promise<void>;
}
