/** Changes to per-route protections: rate limits removed or raised, CORS loosened. */
import type { CorsIR, GatewayIR, RateLimitIR, RouteIR } from "../model/ir.ts";
import { type Change, change } from "./change.ts";
import type { ConfigPaths } from "./paths.ts";
import { joinWords, missingFrom, perPeriod } from "./words.ts";

/** `GET /v1/items/{id}`: the route as written (methods as listed, or any). */
export const routeWords = (route: RouteIR) => `${route.match.methods.length ? joinWords(route.match.methods) : "any method"} ${route.match.path}`;

/** How a limit is counted; other keys read `per <key>` (consumer, team). */
const BY: Readonly<Record<string, string>> = { global: "for all callers together" };
const limitWords = (limit: RateLimitIR) => `${limit.requests} ${perPeriod(limit.periodSeconds)} ${BY[limit.by] ?? `per ${limit.by}`}`;
const rate = (limit: RateLimitIR) => limit.requests / limit.periodSeconds;

function rateLimitChange(was: RateLimitIR | undefined, now: RateLimitIR | undefined): Pick<Change, "risk" | "kind" | "message"> | undefined {
  if (was && !now) return { risk: "loosens", kind: "rateLimit.removed", message: `rate limit removed (was ${limitWords(was)})` };
  if (!was && now) return { risk: "tightens", kind: "rateLimit.added", message: `rate limit added: ${limitWords(now)}` };
  if (!was || !now || limitWords(was) === limitWords(now)) return undefined;
  if (rate(now) > rate(was)) return { risk: "loosens", kind: "rateLimit.raised", message: `rate limit raised from ${limitWords(was)} to ${limitWords(now)}` };
  if (rate(now) < rate(was)) return { risk: "tightens", kind: "rateLimit.lowered", message: `rate limit lowered from ${limitWords(was)} to ${limitWords(now)}` };
  return { risk: "review", kind: "rateLimit.changed", message: `rate limit changed from ${limitWords(was)} to ${limitWords(now)}` };
}

/** What a CORS change lets browsers do that they could not before. */
function corsLoosening(was: CorsIR | undefined, now: CorsIR | undefined): string[] {
  if (!now) return [];
  if (!was) return [`CORS enabled for ${now.origins.join(", ")}${now.credentials ? " with credentials" : ""}`];
  return [
    ...missingFrom(now.origins, was.origins).map((origin) => `CORS now admits origin ${origin}${origin === "*" ? " (any site)" : ""}`),
    ...(now.credentials && !was.credentials ? ["CORS now allows credentials (cookies, authorization) from the admitted origins"] : []),
    ...(missingFrom(now.methods, was.methods).length ? [`CORS now admits methods ${missingFrom(now.methods, was.methods).join(", ")}`] : []),
  ];
}

export function routeSettingChanges(before: GatewayIR, after: GatewayIR, paths: ConfigPaths): Change[] {
  const old = new Map(before.routes.map((route) => [route.id, route]));
  const out: Change[] = [];
  for (const route of after.routes) {
    const was = old.get(route.id);
    if (!was) continue;
    const at = paths.route(route.id)?.path ?? paths.version(route.api, route.version);
    const limit = rateLimitChange(was.rateLimit, route.rateLimit);
    if (limit) out.push(change("security", limit.risk, limit.kind, `${routeWords(route)}: ${limit.message}`, [...at, "rateLimit"]));
    for (const words of corsLoosening(was.cors, route.cors)) out.push(change("security", "loosens", "cors.loosened", `${routeWords(route)}: ${words}`, [...at, "cors"]));
  }
  return out;
}
