/**
 * What `portcullis diff` reports: one sentence per change a reviewer should see, with how it moves
 * the gateway's risk and where in the config (the working tree's) it is written.
 */
import type { SourceLocation } from "../config/diagnostics.ts";
import type { ModelPath } from "../config/locate.ts";

/** `loosens` opens access or weakens a protection; `tightens` does the opposite; `review` is neither but matters. */
export type Risk = "loosens" | "review" | "tightens";

export type Area = "access" | "security" | "lifecycle";

export interface Change {
  readonly area: Area;
  readonly risk: Risk;
  /** Stable, machine-readable kind, e.g. `access.gain`, `jwt.audience-removed`. */
  readonly kind: string;
  /** The sentence, e.g. `role clerk of identity customers gains POST /v2/orders`. */
  readonly message: string;
  /** Where the change is written in the new config (the closest written ancestor when it is a removal). */
  readonly path: ModelPath;
}

export interface LocatedChange extends Change {
  readonly location?: SourceLocation;
}

/** Loosening first, so the list reads most dangerous first. */
export const RISK_ORDER: readonly Risk[] = ["loosens", "review", "tightens"];

export function byRisk<T extends Change>(changes: readonly T[]): T[] {
  return [...changes].sort((a, b) => RISK_ORDER.indexOf(a.risk) - RISK_ORDER.indexOf(b.risk));
}

/** A change of a setting (`what`), written `what: detail`, at `path`. */
export const change = (area: Area, risk: Risk, kind: string, message: string, path: ModelPath): Change => ({ area, risk, kind, message, path });
