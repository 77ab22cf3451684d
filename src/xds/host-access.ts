/**
 * Access rules carried once per virtual host. Every route has its own RBAC per-route config (its
 * access rules, or RBAC turned off on a public route), and most routes of a host share one byte
 * for byte (an API version's routes, or every public route). Envoy resolves per-route config from
 * the most specific level that has one — route, then virtual host — so the config that most routes
 * share can sit on the virtual host and leave theirs out: the same decisions for ~100 bytes less
 * per route, on every RDS update Envoy parses. The routes with no config of their own (guards, 405s)
 * then get RBAC turned off explicitly when the host's config is not that, as they had before. The
 * verifier reads effective configs (src/verify/filter-chain.ts `effectiveConfig`), so it proves
 * the result, not this reasoning.
 */
import type { Any } from "@bufbuild/protobuf/wkt";
import { RBAC_OFF } from "./filters/rbac.ts";

/** What tells two per-route configs apart: their type and bytes. */
export function configKey(any: Any | undefined): string | undefined {
  return any && `${any.typeUrl}\0${Buffer.from(any.value.buffer, any.value.byteOffset, any.value.byteLength).toString("latin1")}`;
}

const RBAC_OFF_KEY = configKey(RBAC_OFF)!;

/** A route's RBAC config as the host sees it. */
export interface RouteAccessConfig {
  readonly key: string;
  readonly config: Any;
}

/** The host's RBAC config, or undefined when carrying one on the host would not save bytes. */
export interface HostAccess {
  readonly key: string;
  readonly config: Any;
  /** Whether routes without a config of their own must turn RBAC off explicitly. */
  readonly guardsNeedRbacOff: boolean;
}

/**
 * The config to carry on the host: the one whose move saves the most bytes (its routes' copies,
 * less the one on the host and the explicit "off" the guards then need); ties go to the smaller
 * key, so the choice does not depend on route order.
 */
export function hostAccess(routes: readonly RouteAccessConfig[], guards: number): HostAccess | undefined {
  const counts = new Map<string, { config: Any; count: number }>();
  for (const { key, config } of routes) {
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { config, count: 1 });
  }
  let best: (HostAccess & { saved: number }) | undefined;
  for (const [key, { config, count }] of counts) {
    const guardsNeedRbacOff = key !== RBAC_OFF_KEY;
    const saved = (count - 1) * key.length - (guardsNeedRbacOff ? guards * RBAC_OFF_KEY.length : 0);
    if (saved <= 0) continue;
    if (!best || saved > best.saved || (saved === best.saved && key < best.key)) best = { key, config, guardsNeedRbacOff, saved };
  }
  return best && { key: best.key, config: best.config, guardsNeedRbacOff: best.guardsNeedRbacOff };
}
