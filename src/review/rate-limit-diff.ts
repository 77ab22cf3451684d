/**
 * Rate limits removed, raised, lowered or failing open. A limit is known by its policy name (the
 * route id, the API, or `api.version`), so an API's limit shared by many routes is said once.
 */
import type { ModelPath } from "../config/locate.ts";
import type { GatewayIR, RateLimitIR, RouteIR } from "../model/ir.ts";
import { type Change, change, type Risk } from "./change.ts";
import type { ConfigPaths } from "./paths.ts";
import { perPeriod, routeWords } from "./words.ts";

/** How a limit is counted; other keys read `per <key>` (consumer, team). */
const BY: Readonly<Record<string, string>> = { global: "for all callers together" };
const limitWords = (limit: RateLimitIR) => `${limit.requests} ${perPeriod(limit.periodSeconds)} ${BY[limit.by] ?? `per ${limit.by}`}`;
const rate = (limit: RateLimitIR) => limit.requests / limit.periodSeconds;

interface Placed {
  readonly limit: RateLimitIR;
  /** `GET /v2/orders`, `API orders`, `orders v2`. */
  readonly what: string;
  readonly route: RouteIR;
}

/** Every limit of a gateway by policy name, with the first route it is on. */
function limitsOf(ir: GatewayIR): Map<string, Placed> {
  const limits = new Map<string, Placed>();
  for (const route of ir.routes) {
    for (const limit of [route.rateLimit, route.apiRateLimit]) {
      if (!limit || limits.has(limit.policy)) continue;
      const what = limit.scope === "route" ? routeWords(route) : limit.scope === "api" ? `API ${route.api}` : `${route.api} ${route.version}`;
      limits.set(limit.policy, { limit, what, route });
    }
  }
  return limits;
}

function placeOf(placed: Placed, paths: ConfigPaths): ModelPath {
  const { limit, route } = placed;
  if (limit.scope === "route") return [...(paths.route(route.id)?.path ?? paths.version(route.api, route.version)), "rateLimit"];
  return [...paths.version(route.api, limit.scope === "version" ? route.version : undefined), "rateLimit"];
}

function compared(was: RateLimitIR, now: RateLimitIR): { risk: Risk; kind: string; words: string }[] {
  const out: { risk: Risk; kind: string; words: string }[] = [];
  if (limitWords(was) !== limitWords(now)) {
    const [risk, verb] = rate(now) > rate(was) ? (["loosens", "raised"] as const) : rate(now) < rate(was) ? (["tightens", "lowered"] as const) : (["review", "changed"] as const);
    out.push({ risk, kind: `rateLimit.${verb}`, words: `rate limit ${verb} from ${limitWords(was)} to ${limitWords(now)}` });
  }
  if (was.failureMode === "deny" && now.failureMode === "allow") out.push({ risk: "loosens", kind: "rateLimit.fail-open", words: "when the rate-limit service fails, requests are now let through unlimited" });
  return out;
}

export function rateLimitChanges(before: GatewayIR, after: GatewayIR, paths: ConfigPaths): Change[] {
  const [old, now] = [limitsOf(before), limitsOf(after)];
  const out: Change[] = [];
  for (const [policy, placed] of now) {
    const was = old.get(policy);
    const at = placeOf(placed, paths);
    if (!was) out.push(change("security", "tightens", "rateLimit.added", `${placed.what}: rate limit added: ${limitWords(placed.limit)}`, at));
    else for (const { risk, kind, words } of compared(was.limit, placed.limit)) out.push(change("security", risk, kind, `${placed.what}: ${words}`, at));
  }
  for (const [policy, placed] of old) {
    if (now.has(policy)) continue;
    const route = after.routes.find((candidate) => candidate.id === placed.route.id);
    const at = route ? placeOf({ ...placed, route }, paths) : paths.version(placed.route.api, placed.route.version);
    out.push(change("security", "loosens", "rateLimit.removed", `${placed.what}: rate limit removed (was ${limitWords(placed.limit)})`, at));
  }
  return out;
}
