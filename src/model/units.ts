/** Unit conversions for durations and dates as users write them. */

const DURATION = /^([0-9]+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `"250ms"`, `"5s"`, `"2m"`, `"1h"` → milliseconds; undefined when malformed. */
export function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/** Midnight UTC of a `YYYY-MM-DD` date, in milliseconds; undefined when not a real date. */
export function isoDateMs(text: string): number | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().startsWith(text) ? ms : undefined;
}

/** IMF-fixdate (RFC 9110), the form of the `Sunset` header. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
