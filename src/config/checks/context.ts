import type { Diagnostic } from "../diagnostics.ts";
import type { Placement } from "../finding.ts";
import type { GatewayConfig } from "../types.ts";

export interface CheckContext {
  readonly place: Placement;
  /** Today's date as `YYYY-MM-DD`, injected so checks stay pure and testable. */
  readonly today: string;
  /** Strict zero trust (the default) turns weak settings into errors. */
  readonly strict: boolean;
}

/** A semantic check reads a schema-valid config and returns its findings. */
export type Check = (config: GatewayConfig, context: CheckContext) => Diagnostic[];
