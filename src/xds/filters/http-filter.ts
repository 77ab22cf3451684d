import type { Any } from "@bufbuild/protobuf/wkt";
import type { HttpFilter } from "../../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { HttpFilterSchema } from "../../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import type { GatewayIR, RouteIR } from "../../model/ir.ts";

export type { HttpFilter };

/**
 * One HTTP filter: its entry in the connection manager's chain and, optionally, its per-route
 * config. The chain order is decided in one place, filters/order.ts.
 */
export interface HttpFilterModule {
  /** Envoy's filter name, also the key of per-route config. */
  readonly name: string;
  /** The chain entry, or undefined when no route of the gateway needs this filter; several for a filter with one instance per endpoint. */
  chainEntry(ir: GatewayIR): MessageInitShape<typeof HttpFilterSchema> | readonly MessageInitShape<typeof HttpFilterSchema>[] | undefined;
  /** Per-route config (typed_per_filter_config), or undefined to use the chain entry's. */
  perRoute?(route: RouteIR): Any | undefined;
  /**
   * The per-route config that means the same as none on a route (what the chain entry alone
   * does), for filters whose per-route config Envoy takes from the most specific level: then the
   * config most routes of a virtual host share is carried by the host (src/xds/host-access.ts),
   * and a route that had none gets this one where the host's would otherwise apply.
   */
  readonly hostNeutral?: Any;
}
