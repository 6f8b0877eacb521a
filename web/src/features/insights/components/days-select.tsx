/** The window selector: how many days, ending today (UTC), the insights cover. */
import { INSIGHT_WINDOWS } from "../api/insights.ts";

export function DaysSelect({ days, onChange }: { days: number; onChange: (days: number) => void }) {
  return (
    <label className="days-select">
      Window
      <select value={days} onChange={(e) => onChange(Number(e.target.value))} aria-label="Window">
        {INSIGHT_WINDOWS.map((n) => (
          <option key={n} value={n}>
            last {n} days
          </option>
        ))}
      </select>
    </label>
  );
}
