import { HeaderMutationSchema } from "../../generated/envoy/extensions/http/early_header_mutation/header_mutation/v3/header_mutation_pb.js";
import type { GatewayIR } from "../model/ir.ts";
import { gatewaySetRequestHeaders } from "./gateway-headers.ts";
import { sharedExtensionConfig } from "./proto.ts";

/**
 * Headers with which a client asks a backend to serve another URL or method than the one the
 * gateway routed and authorised: IIS URL Rewrite, Symfony and Laminas take the path from
 * X-Original-URL/X-Rewrite-URL (`GET /public` + `X-Original-URL: /admin` serves /admin), and
 * method-override middleware turns a POST into a DELETE. No proxy in front has reason to send them.
 */
const REWRITE_AND_OVERRIDE_HEADERS = ["x-http-method", "x-http-method-override", "x-method-override", "x-original-url", "x-rewrite-url"];

/**
 * Headers that tell a backend who and where the client is. Only a proxy in front of the gateway can
 * know that; from a client they are forgeries (a spoofed address in logs and allow-lists, a host
 * name that poisons the links a backend builds). With no proxy in front, a client's X-Forwarded-For
 * goes too: Envoy then appends the real peer to an empty one, so a backend that reads the
 * leftmost entry still gets the true client.
 */
const FORWARDING_HEADERS = [
  "cf-connecting-ip",
  "fastly-client-ip",
  "forwarded",
  "true-client-ip",
  "x-client-ip",
  "x-cluster-client-ip",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-port",
  "x-forwarded-prefix",
  "x-forwarded-scheme",
  "x-forwarded-server",
  "x-host",
  "x-original-host",
  "x-real-ip",
];

/**
 * The client request headers the gateway removes, sorted. Always: its own identity headers and the
 * rewrite/override headers. The forwarding headers too, unless the config trusts a proxy in front
 * (`trustedProxyHops` > 0): then they are that proxy's to set, and are kept. They are single values
 * (Forwarded excepted), so unlike X-Forwarded-For nothing can tell the proxy's value from a copy it
 * passed on; the proxy must overwrite or drop them, as load balancers and CDNs that set them do.
 */
export function removedClientHeaders(ir: GatewayIR): string[] {
  return [...gatewaySetRequestHeaders(ir), ...REWRITE_AND_OVERRIDE_HEADERS, ...(ir.trustedProxyHops > 0 ? [] : FORWARDING_HEADERS)].sort();
}

/**
 * An early header mutation on the connection manager: it runs when the request headers arrive,
 * before Envoy's own X-Forwarded-For handling, route selection and every HTTP filter. Removal on
 * the route configuration would run in the router, at the end of the chain, after the filters
 * (access rules included) had read the client's copies — and it would strip the identity headers
 * those filters set for the backend.
 */
export function clientHeaderRemoval(ir: GatewayIR) {
  return sharedExtensionConfig("envoy.http.early_header_mutation.header_mutation", HeaderMutationSchema, {
    mutations: removedClientHeaders(ir).map((name) => ({ action: { case: "remove" as const, value: name } })),
  });
}
