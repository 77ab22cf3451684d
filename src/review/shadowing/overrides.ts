/**
 * Routes whose own access replaces their version's default (PCL4090), with what that does: which
 * callers the route admits that the version would refuse, and the reverse, decided the way
 * `explain` decides (src/access/decide.ts) against every caller either access tells apart.
 */
import { type Caller, callersOf } from "../../access/callers.ts";
import { decide, describeRule } from "../../access/decide.ts";
import type { AccessIR, GatewayIR, RouteIR } from "../../model/ir.ts";
import { statementsOf } from "../access-subjects.ts";
import type { ConfigPaths } from "../paths.ts";
import { joinWords } from "../words.ts";
import type { ShadowingFinding } from "./finding.ts";

const sameAccess = (a: AccessIR, b: AccessIR) => JSON.stringify(a) === JSON.stringify(b);

function accessWords(access: AccessIR): string {
  if (access.kind === "public") return `public (${access.reason})`;
  if (access.kind === "deny") return "nobody";
  return access.rules.map(describeRule).join("; ");
}

/** The callers each access admits on this route, the route otherwise unchanged. */
function admitted(ir: GatewayIR, route: RouteIR, access: AccessIR): { ir: GatewayIR; admits: (caller: Caller) => boolean } {
  const variant = { ...route, access };
  const variantIr = { ...ir, routes: ir.routes.map((other) => (other === route ? variant : other)) };
  return { ir: variantIr, admits: (caller) => decide(variantIr, variant, caller).outcome === "allow" };
}

/** The callers the route admits beyond its version (`gain`) and refuses that the version admits (`lose`), folded into few words. */
function whom(callers: readonly Caller[], extra: (caller: Caller) => boolean, fewer: (caller: Caller) => boolean): Record<"gain" | "lose", string> {
  const one = new Set(["route"]);
  const statements = statementsOf(callers.map((caller) => ({ caller, gains: extra(caller) ? one : new Set(), losses: fewer(caller) ? one : new Set() })));
  const subjects = (verb: "gain" | "lose") => joinWords(statements.filter((statement) => statement.verb === verb).map((statement) => statement.subject));
  return { gain: subjects("gain"), lose: subjects("lose") };
}

function override(ir: GatewayIR, route: RouteIR, versionAccess: AccessIR, at: ConfigPaths): ShadowingFinding {
  const own = admitted(ir, route, route.access);
  const inherited = admitted(ir, route, versionAccess);
  const callers = [...new Map([...callersOf(own.ir), ...callersOf(inherited.ir)].map((caller) => [caller.id, caller])).values()];
  const names = whom(callers, (caller) => own.admits(caller) && !inherited.admits(caller), (caller) => !own.admits(caller) && inherited.admits(caller));
  const effect = [...(names.gain ? [`it also admits ${names.gain}`] : []), ...(names.lose ? [`it refuses ${names.lose}, whom the version admits`] : [])];
  const verdict = names.gain && names.lose ? "different" : names.gain ? "broader" : names.lose ? "narrower" : "the same callers";
  return {
    code: "PCL4090",
    message: `route ${route.id} replaces version ${route.version}'s access (${accessWords(versionAccess)}) with its own (${accessWords(route.access)}): ${verdict}${effect.length ? ` — ${effect.join("; ")}` : ""}`,
    hint: names.gain ? "check that the route is meant to admit more than its version; if not, remove its access to inherit the version's" : "intended overrides can stay; remove the route's access to inherit the version's",
    path: at.route(route.id)?.accessPath ?? at.version(route.api, route.version),
  };
}

export function overrideFindings(ir: GatewayIR, at: ConfigPaths): ShadowingFinding[] {
  const findings: ShadowingFinding[] = [];
  for (const route of ir.routes) {
    if (route.ai || route.action.kind === "gone") continue;
    const versionAccess = ir.apis.find((api) => api.name === route.api)?.versions.find((version) => version.name === route.version)?.access;
    if (versionAccess && !sameAccess(route.access, versionAccess)) findings.push(override(ir, route, versionAccess, at));
  }
  return findings;
}
