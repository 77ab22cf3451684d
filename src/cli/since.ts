/** `--since` of the commands that read records back (`usage`, `audit`): a span back from now, or a date or time as written. */
import { durationMs } from "../model/units.ts";
import { UsageError } from "./command.ts";

const DAY_MS = 86_400_000;

/** `--since` as an ISO time: now minus a span (30m, 24h, 7d), or a date (2026-12-01, midnight UTC) or ISO time as written. */
export function sinceTime(text: string, now: number): string {
  const days = /^([1-9][0-9]{0,5})d$/.exec(text);
  const span = days ? Number(days[1]) * DAY_MS : durationMs(text);
  if (span !== undefined && span > 0) return new Date(now - span).toISOString();
  const time = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(time.getTime())) throw new UsageError(`--since must be a span like 1h or 7d, or an ISO date or time, got "${text}"`);
  return time.toISOString();
}
