import type { ReactNode } from "react";

/** The frame of the signed-out pages. */
export function AuthCard({
  title,
  children,
  footer,
}: {
  title: string;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <main className="auth" id="main">
      <div className="auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Assay
        </div>
        <h1>{title}</h1>
        {children}
        {footer ? <div className="auth-footer">{footer}</div> : null}
      </div>
    </main>
  );
}

/** The one-time token of an emailed link (`#token=...`): kept in the fragment, never sent to servers. */
export const tokenFromHash = (): string =>
  new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
