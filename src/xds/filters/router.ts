import { RouterSchema } from "../../../generated/envoy/extensions/filters/http/router/v3/router_pb.js";
import { typedExtension } from "../proto.ts";
import type { HttpFilterModule } from "./http-filter.ts";

const NAME = "envoy.filters.http.router";

/** Forwards to the route's cluster. Envoy's x-envoy-* response headers are suppressed: they reveal internals. */
export const routerFilter: HttpFilterModule = {
  name: NAME,
  chainEntry: () => typedExtension(NAME, RouterSchema, { suppressEnvoyHeaders: true }),
};
