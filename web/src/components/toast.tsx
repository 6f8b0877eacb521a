/**
 * Short confirmations ("Saved hello, version 3") that outlive the page that raised them: a
 * save that navigates still shows its answer. One store outside React, one polite live region
 * in the frame; each toast goes after a few seconds or when dismissed.
 */
import { useSyncExternalStore } from "react";

interface Toast {
  id: number;
  text: string;
}

const SHOW_MS = 6_000;
let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => {
  for (const listener of listeners) listener();
};

const dismiss = (id: number) => {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
};

/** Shows a confirmation in the frame for a few seconds. */
export function showToast(text: string): void {
  const id = nextId++;
  toasts = [...toasts.slice(-2), { id, text }];
  emit();
  setTimeout(() => dismiss(id), SHOW_MS);
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export function Toasts() {
  const current = useSyncExternalStore(subscribe, () => toasts);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {current.map((t) => (
        <div key={t.id} className="toast">
          <span>✓ {t.text}</span>
          <button type="button" className="toast-close" onClick={() => dismiss(t.id)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
