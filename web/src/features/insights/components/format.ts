/** Formatters for insight numbers: rates as percentages, missing measurements as a dash. */
import { formatBytes, formatDuration } from "../../../lib/format.ts";

export const percent = (rate: number | null | undefined): string =>
  rate == null ? "–" : `${Math.round(rate * 100)}%`;

export const duration = (ms: number | null | undefined): string => (ms == null ? "–" : formatDuration(ms));

export const cpu = (percentOfCore: number | null | undefined): string =>
  percentOfCore == null ? "–" : `${Math.round(percentOfCore)}%`;

export const memory = (bytes: number | null | undefined): string =>
  bytes == null ? "–" : formatBytes(bytes);
