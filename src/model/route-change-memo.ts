import type { RouteIR } from "./ir.ts";
import { type RouteOrderChange, routeOrderChange } from "./route-order.ts";

/**
 * What a pass made of an IR's routes, kept so the next compile updates it from the routes that
 * changed (routeOrderChange) instead of making it again from every route. Keyed by the routes
 * array and a key of the pass's own that stands for everything else the result depends on. A
 * result of `undefined` is not kept: it is made again each time.
 */
export class RouteChangeMemo<K, T> {
  readonly #made = new WeakMap<readonly RouteIR[], Map<K, T>>();

  /**
   * The result for `routes` and `key`: the one already made, else `update` of the last compile's
   * (when resolve recorded the change and `update` can tell; it returns undefined when it cannot),
   * else `make`.
   */
  get(routes: readonly RouteIR[], key: K, make: () => T, update: (last: T, change: RouteOrderChange) => T | undefined): T {
    let mine = this.#made.get(routes);
    const known = mine?.get(key);
    if (known !== undefined) return known;
    const change = routeOrderChange(routes);
    const last = change && this.#made.get(change.previous)?.get(key);
    const value = (change && last !== undefined ? update(last, change) : undefined) ?? make();
    if (!mine) this.#made.set(routes, (mine = new Map()));
    mine.set(key, value);
    return value;
  }
}
