import { useEffect, useState } from "react";
import { durationMs, formatAbsolute, formatDuration, formatRelative } from "../lib/format.ts";

/** Re-renders every `ms` while `active`, for clocks that tick (running durations). */
export function useNow(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
  return now;
}

export function RelativeTime({ iso }: { iso: string | undefined }) {
  const now = useNow(true, 30_000);
  if (!iso) return <span>–</span>;
  return (
    <time dateTime={iso} title={formatAbsolute(iso)}>
      {formatRelative(iso, now)}
    </time>
  );
}

/** Duration between two times; ticks while `to` is missing and `running`. */
export function Duration({ from, to, running = false }: { from?: string; to?: string; running?: boolean }) {
  const now = useNow(running && !to);
  return <span>{formatDuration(durationMs(from, to ?? (running ? undefined : from), now))}</span>;
}
