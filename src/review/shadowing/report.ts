/**
 * The override and shadowing report (`portcullis explain --shadowing`): route access that replaces
 * its version's (PCL4090), allow rules that never decide (PCL4091), and routes an earlier route
 * hides for some method (PCL4092). Read from the IR alone; each finding is placed at the config
 * path it is about.
 */
import type { GatewayIR } from "../../model/ir.ts";
import { configPaths } from "../paths.ts";
import type { ShadowingFinding } from "./finding.ts";
import { overrideFindings } from "./overrides.ts";
import { shadowedRouteFindings } from "./shadowed-routes.ts";
import { subsumedRuleFindings } from "./subsumed-rules.ts";

export type { ShadowingFinding };

export function shadowingReport(ir: GatewayIR): ShadowingFinding[] {
  const at = configPaths(ir);
  return [...overrideFindings(ir, at), ...subsumedRuleFindings(ir, at), ...shadowedRouteFindings(ir, at)];
}
