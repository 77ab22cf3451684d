/**
 * What a change to a gateway means, from the IRs of the two configs alone: access (from the two
 * access matrices), trust and protections, policy waivers and API lifecycle, most dangerous first.
 */
import type { GatewayIR } from "../model/ir.ts";
import { accessChanges } from "./access-diff.ts";
import { byRisk, type Change } from "./change.ts";
import { corsChanges } from "./cors-diff.ts";
import { identityChanges } from "./identity-diff.ts";
import { lifecycleChanges } from "./lifecycle-diff.ts";
import { configPaths } from "./paths.ts";
import { policyChanges } from "./policy-diff.ts";
import { rateLimitChanges } from "./rate-limit-diff.ts";
import { upstreamChanges } from "./upstream-diff.ts";

/** A gateway with nothing in it, for a config that did not exist on the base side. */
function emptyLike(ir: GatewayIR): GatewayIR {
  const { ai: _ai, ...rest } = ir;
  return { ...rest, listeners: [], clusters: [], secrets: [], routes: [], jwtProviders: [], apiKeyProviders: [], apis: [], policy: { ...ir.policy, packs: [], rules: [], waivers: [] } };
}

/** The changes from `before` (absent: the config is new) to `after`, loosening first. */
export function reviewChanges(before: GatewayIR | undefined, after: GatewayIR): Change[] {
  const base = before ?? emptyLike(after);
  const paths = configPaths(after);
  return byRisk([
    ...accessChanges(base, after, paths),
    ...identityChanges(base, after, paths),
    ...upstreamChanges(base, after, paths),
    ...rateLimitChanges(base, after, paths),
    ...corsChanges(base, after, paths),
    ...policyChanges(base, after),
    ...lifecycleChanges(base, after, paths),
  ]);
}
