/**
 * compile.ts keeps each gateway's caches between compiles (a hot reload reuses what did not
 * change), for the gateways compiled most recently only: a process that compiled many gateways, or
 * a serve whose gateway was renamed again and again, does not keep every one's caches for good.
 */
import { describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { LISTENER_TYPE_URL } from "../../src/envoy/type-urls.ts";

function config(name: string): GatewayConfig {
  return {
    gateway: { name, listeners: [{ name: "web", port: 8080, hostnames: ["api.test"] }] },
    providers: { app: { type: "service", endpoints: ["127.0.0.1:9999"], plaintext: { reason: "test backend on loopback" } } },
    apis: [{ name: "shop", owner: "team", basePath: "/shop", versions: { v1: { state: "published", access: { public: { reason: "test API" } }, routes: [{ name: "browse", match: { prefix: "/" }, provider: "app" }] } } }],
  };
}

const options = { file: "gateway.yaml", secrets: "placeholder" as const, env: {}, today: "2026-06-01" };
/** The gateway's listener resource as compiled now: the same object while its caches are kept. */
const listener = (name: string) => [...compileGateway(config(name), undefined, options).snapshot!.resources.get(LISTENER_TYPE_URL)!.values()][0];

describe("the caches compile keeps per gateway", () => {
  it("stay while a few dozen other gateways compile, and are let go after many more", () => {
    const kept = listener("kept");
    for (let other = 0; other < 40; other++) listener(`other-${other}`);
    expect(listener("kept")).toBe(kept);
    for (let other = 0; other < 100; other++) listener(`more-${other}`);
    const again = listener("kept");
    expect(again).not.toBe(kept);
    expect(again).toEqual(kept);
  });
});
