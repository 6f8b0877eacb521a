/**
 * The streaming entry sits behind CloudFront's origin access control, which signs every request
 * to the Function URL with SigV4 in `authorization`, replacing the viewer's own header (a bearer
 * token). A CloudFront Function copies the viewer's header to `VIEWER_AUTHORIZATION_HEADER`
 * first (infra/lib/stacks/web-stack.ts, which spells the same name). This puts it back, or drops
 * CloudFront's signature when the viewer sent none (a cookie session), so authentication sees
 * what the viewer sent and nothing else.
 */

/** Where the edge keeps the viewer's Authorization header. */
export const VIEWER_AUTHORIZATION_HEADER = "x-assay-viewer-authorization";

/** The request as the viewer sent it, as far as authentication is concerned. */
export function restoreViewerAuthorization(request: Request): Request {
  const headers = new Headers(request.headers);
  const viewer = headers.get(VIEWER_AUTHORIZATION_HEADER);
  headers.delete(VIEWER_AUTHORIZATION_HEADER);
  if (viewer === null) headers.delete("authorization");
  else headers.set("authorization", viewer);
  return new Request(request, { headers });
}
