/**
 * What a rate limit cannot mean is refused at the config line, never compiled into a limit that
 * does not apply: a key some callers of the route lack, local-mode combinations Envoy's
 * local_ratelimit cannot count, a team key with a consumer that has no team.
 */
import { describe, expect, it } from "vitest";
import type { Api, GatewayConfig, RateLimit } from "../../src/config/types.ts";
import { changed, compile } from "../policy/policy-config.ts";

const orders = (config: GatewayConfig): Api => config.apis![0]!;
const firstRoute = (config: GatewayConfig) => orders(config).versions["v1"]!.routes[0]!;
const withRouteLimit = (limit: RateLimit, edit: (config: GatewayConfig) => void = () => {}) =>
  changed((config) => {
    firstRoute(config).rateLimit = limit;
    edit(config);
  });
const found = (config: GatewayConfig) => compile(config).diagnostics.filter((d) => d.code.startsWith("PCL408")).map((d) => [d.code, d.path?.join(".")]);
const ROUTE = "apis.0.versions.v1.routes.0.rateLimit";

describe("rate limits that cannot be counted are refused", () => {
  it("a key on an identity of a public route, or of a route that admits callers by address alone", () => {
    const open = (config: GatewayConfig) => (firstRoute(config).access = { public: { reason: "a public list" } });
    expect(found(withRouteLimit({ requests: 5, per: "second", by: "identity" }, open))).toEqual([["PCL4080", `${ROUTE}.by`]]);
    const byAddress = (config: GatewayConfig) => (firstRoute(config).access = { allow: [{ identity: "customers" }, { clientCidrs: ["10.0.0.0/8"] }] });
    expect(found(withRouteLimit({ requests: 5, per: "second", by: "identity" }, byAddress))).toEqual([["PCL4080", `${ROUTE}.by`]]);
    expect(found(withRouteLimit({ requests: 5, per: "second", by: "client" }, open))).toEqual([]);
  });

  it("a consumer or team key on a route that admits JWT callers", () => {
    expect(found(withRouteLimit({ requests: 5, per: "second", by: "consumer" }))).toEqual([["PCL4080", `${ROUTE}.by`]]);
    expect(found(withRouteLimit({ requests: 5, per: "second", by: "team", mode: "global" }))).toEqual([["PCL4080", `${ROUTE}.by`]]);
  });

  it("a team key when an admitted consumer has no team", () => {
    const partners = (config: GatewayConfig) => (firstRoute(config).access = { allow: [{ identity: "partners" }] });
    expect(found(withRouteLimit({ requests: 5, per: "second", by: "team", mode: "global" }, partners))).toEqual([["PCL4081", `${ROUTE}.by`]]);
  });

  it("what local mode cannot count: an API-wide limit, a failure mode", () => {
    expect(found(changed((config) => (orders(config).rateLimit = { requests: 100, per: "minute" })))).toEqual([["PCL4082", "apis.0.rateLimit.mode"]]);
    expect(found(withRouteLimit({ requests: 5, per: "second", failureMode: "allow" }))).toEqual([["PCL4082", `${ROUTE}.failureMode`]]);
  });

  it("a rate-limit service address that is not host:port", () => {
    const limited = withRouteLimit({ requests: 5, per: "second", mode: "global" }, (config) => (config.gateway.rateLimitService = { address: "ratelimit.internal" }));
    expect(found(limited)).toEqual([["PCL4083", "gateway.rateLimitService.address"]]);
  });

  it("a global limit compiles to a cluster for the service; local limits need none", () => {
    const global = compile(withRouteLimit({ requests: 5, per: "second", mode: "global" }, (config) => (config.gateway.rateLimitService = { address: "ratelimit.internal:8081" })));
    expect(global.ir?.rateLimitService).toEqual({ host: "ratelimit.internal", port: 8081, timeoutMs: 1000, cluster: "portcullis_ratelimit" });
    expect([...(global.snapshot?.resources.get("type.googleapis.com/envoy.config.cluster.v3.Cluster")?.keys() ?? [])]).toContain("portcullis_ratelimit");
    const local = compile(withRouteLimit({ requests: 5, per: "second" }));
    expect(local.ir?.rateLimitService).toBeUndefined();
  });
});
