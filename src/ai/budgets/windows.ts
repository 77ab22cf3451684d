/**
 * Calendar windows in an IANA time zone: the day, the week (from Monday) or the month an instant
 * falls in, as the instants where it starts and ends, so a monthly budget in Europe/Paris resets
 * at Paris midnight on the 1st whatever the DST offset. Rate limits use UTC minutes.
 */
import type { AiBudgetIR } from "../../model/ir.ts";

export interface Window {
  /** Epoch milliseconds, inclusive. */
  readonly start: number;
  /** Epoch milliseconds, exclusive: when the budget resets. */
  readonly end: number;
}

interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatter = (zone: string) => {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric" });
    formatters.set(zone, format);
  }
  return format;
};

/** The calendar date the zone's clocks show at an instant. */
export function civilDate(zone: string, instant: number): CivilDate {
  const parts = formatter(zone).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part("year"), month: part("month"), day: part("day") };
}

const dateKey = (date: CivilDate) => date.year * 10_000 + date.month * 100 + date.day;

/** A civil date moved by whole days or months (the day overflows into the next month as Date.UTC does). */
function shift(date: CivilDate, days: number, months = 0): CivilDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1 + months, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** Time zone offsets lie within ±14 hours; this margin brackets every zone's midnight. */
const MARGIN_MS = 26 * 3_600_000;

/**
 * The first instant at which the zone's calendar shows `date`: its midnight, or the end of a DST
 * gap where midnight is skipped. A binary search on the zone's calendar, exact to the millisecond.
 */
export function startOfDay(zone: string, date: CivilDate): number {
  const target = dateKey(date);
  const utcMidnight = Date.UTC(date.year, date.month - 1, date.day);
  let before = utcMidnight - MARGIN_MS; // shows an earlier date
  let after = utcMidnight + MARGIN_MS; // shows this date or a later one
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (dateKey(civilDate(zone, middle)) >= target) after = middle;
    else before = middle;
  }
  return after;
}

/** The window of a period that holds `instant`. */
export function windowAt(period: AiBudgetIR["period"], zone: string, instant: number): Window {
  if (period === "minute") {
    const start = Math.floor(instant / 60_000) * 60_000;
    return { start, end: start + 60_000 };
  }
  const today = civilDate(zone, instant);
  let first: CivilDate;
  let next: CivilDate;
  if (period === "day") {
    first = today;
    next = shift(today, 1);
  } else if (period === "week") {
    const weekday = new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay(); // 0 is Sunday
    first = shift(today, -((weekday + 6) % 7));
    next = shift(first, 7);
  } else {
    first = { year: today.year, month: today.month, day: 1 };
    next = shift(first, 0, 1);
  }
  return { start: startOfDay(zone, first), end: startOfDay(zone, next) };
}

/**
 * Windows for one period and zone, remembered until they end: finding one costs a few dozen
 * calendar look-ups, which the request path should pay once per window, not per request.
 */
export class WindowCache {
  readonly #current = new Map<string, Window>();

  at(period: AiBudgetIR["period"], zone: string, instant: number): Window {
    const key = `${period} ${zone}`;
    const known = this.#current.get(key);
    if (known && instant >= known.start && instant < known.end) return known;
    const window = windowAt(period, zone, instant);
    this.#current.set(key, window);
    return window;
  }
}
