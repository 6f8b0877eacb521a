import { Link } from "@tanstack/react-router";
import { EmptyState } from "./states.tsx";

export function NotFound() {
  return (
    <main className="main narrow" id="main">
      <EmptyState title="Page not found" action={<Link to="/">Go to the dashboard</Link>}>
        The address does not match a page of the dashboard.
      </EmptyState>
    </main>
  );
}
