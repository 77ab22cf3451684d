/**
 * Identity and access configs carried once per virtual host. Routes carry per-filter configs for
 * the filters that decide who may call them (jwt_authn's requirement, api_key_auth's key source
 * and consumers, RBAC's rules), and most routes of a host share each one byte for byte (an API
 * version's routes, or every public route). For these filters Envoy takes the config of the most
 * specific level that has one — route, then virtual host — so the config most routes share can sit
 * on the virtual host and leave theirs out: the same decisions, for ~100 bytes less per route and
 * filter on every RDS update Envoy parses. A route that had no config of its own then gets the
 * filter's "none" written out (`HttpFilterModule.hostNeutral`) when the host's config is not that.
 * The verifier reads effective configs (src/verify/filter-chain.ts `effectiveConfig`), so it
 * proves the result, not this reasoning.
 */
import type { Any } from "@bufbuild/protobuf/wkt";
import type { HttpFilterModule } from "./filters/http-filter.ts";

/** What tells two per-route configs apart: their type and bytes. */
export function configKey(any: Any): string {
  return `${any.typeUrl}\0${Buffer.from(any.value.buffer, any.value.byteOffset, any.value.byteLength).toString("latin1")}`;
}

/** A filter whose per-route config a virtual host may carry: `hostNeutral` is set. */
export type HoistableFilter = HttpFilterModule & { readonly hostNeutral: Any };

/** One route's config for a filter, as the host sees it; `own` false: it had none (the filter's none applies). */
export interface RouteFilterConfig {
  readonly key: string;
  readonly config: Any;
  readonly own: boolean;
}

/** What a route writes for a filter once its host carries `hosted`: its own config, none, or the filter's none spelt out. */
export type RouteFilterWrite = "own" | "omit" | "neutral";

export function routeWrite(route: RouteFilterConfig, hosted: string | undefined): RouteFilterWrite {
  if (route.key === hosted) return "omit";
  if (route.own) return "own";
  return hosted === undefined ? "omit" : "neutral";
}

/**
 * The config a host carries for one filter, or undefined when carrying one would not make the
 * routes smaller: the one that leaves the fewest bytes (the host's copy, the routes' other
 * configs, and the neutral configs routes without their own then need); ties go to the smaller
 * key, so the choice does not depend on route order.
 */
export function hostConfig(routes: readonly RouteFilterConfig[]): { key: string; config: Any } | undefined {
  const before = routes.reduce((sum, route) => sum + (route.own ? route.key.length : 0), 0);
  const candidates = new Map<string, Any>();
  for (const route of routes) candidates.set(route.key, route.config);
  let best: { key: string; config: Any; size: number } | undefined;
  for (const [key, config] of candidates) {
    const size = key.length + routes.reduce((sum, route) => sum + (route.key === key ? 0 : route.key.length), 0);
    if (size >= before) continue;
    if (!best || size < best.size || (size === best.size && key < best.key)) best = { key, config, size };
  }
  return best && { key: best.key, config: best.config };
}
