/**
 * One Envoy route encoded as its virtual host needs it: with or without each identity and access
 * config the host may carry instead (host-access.ts), and with or without its metadata. Each variant is encoded once and kept, so a
 * recompile re-encodes only the routes that changed — or whose host now carries other configs.
 */
import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { type Route, RouteSchema } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import { HTTP_FILTER_MODULES } from "./filters/order.ts";
import { configKey, type HoistableFilter, type RouteFilterConfig, type RouteFilterWrite } from "./host-access.ts";
import { sortedRecord } from "./proto.ts";

type RouteInit = MessageInitShape<typeof RouteSchema>;

export interface EncodedRoute {
  readonly message: Route;
  readonly bytes: Uint8Array;
}

/** The filters whose per-route config a virtual host may carry, in chain order. */
export const HOISTABLE_FILTERS: readonly HoistableFilter[] = HTTP_FILTER_MODULES.filter((module): module is HoistableFilter => module.hostNeutral !== undefined);

export class RouteVariants {
  /** Per hoistable filter (HOISTABLE_FILTERS order): the route's config, or the filter's none. */
  readonly configs: readonly RouteFilterConfig[];
  readonly #init: RouteInit;
  /** Its name where its virtual host carries its metadata (route-metadata.ts). */
  readonly #nameOnHost: string | undefined;
  /** The route's other per-filter configs, always written. */
  readonly #others: Readonly<Record<string, Any>>;
  readonly #encoded = new Map<string, EncodedRoute>();

  constructor(init: RouteInit, nameOnHost?: string) {
    const perFilter = { ...((init.typedPerFilterConfig ?? {}) as Record<string, Any>) };
    this.configs = HOISTABLE_FILTERS.map((filter) => {
      const own = perFilter[filter.name];
      delete perFilter[filter.name];
      const config = own ?? filter.hostNeutral;
      return { key: configKey(config), config, own: own !== undefined };
    });
    this.#init = init;
    this.#nameOnHost = nameOnHost;
    this.#others = perFilter;
  }

  /**
   * The route with, per hoistable filter, its own config, none, or the filter's none spelt out; and
   * without its metadata, and named within its API version, when its virtual host carries them
   * (route-metadata.ts).
   */
  encoded(writes: readonly RouteFilterWrite[], metadataOnHost = false): EncodedRoute {
    const signature = `${writes.join(",")}${metadataOnHost ? ";host metadata" : ""}`;
    let encoded = this.#encoded.get(signature);
    if (!encoded) {
      const written = HOISTABLE_FILTERS.flatMap((filter, index) => (writes[index] === "omit" ? [] : [[filter.name, this.configs[index]!.config] as const]));
      const message = create(RouteSchema, {
        ...this.#init,
        typedPerFilterConfig: sortedRecord([...Object.entries(this.#others), ...written]),
        ...(metadataOnHost ? { name: this.#nameOnHost ?? this.#init.name, metadata: undefined } : {}),
      });
      encoded = { message, bytes: toBinary(RouteSchema, message) };
      this.#encoded.set(signature, encoded);
    }
    return encoded;
  }
}
