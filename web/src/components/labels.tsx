/** A resource's labels as chips (`key=value`). */
export function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return null;
  return (
    <ul className="chips" aria-label="Labels">
      {entries.map(([k, v]) => (
        <li key={k} className="chip">
          {k}={v}
        </li>
      ))}
    </ul>
  );
}
