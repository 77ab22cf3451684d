/**
 * A reload of a YAML config shares every part the edit left alone (src/config/load/yaml-config.ts),
 * and resolve reuses a frozen version's routes, and a frozen route's resolution, by identity
 * (src/model/resolve-routes.ts). What is reused must never outlive what it was made of: an edit of
 * the provider a route names, of the API around it or of the route itself is in the next snapshot
 * although the version it sits in is the same object.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RouteConfiguration } from "../../generated/envoy/config/route/v3/route_pb.js";
import { compileGatewayFile, type CompileResult } from "../../src/compile.ts";
import * as xds from "../../src/envoy/type-urls.ts";
import { hostRouteId } from "../../src/xds/route-metadata.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-reload-reuse-"));
const file = join(dir, "gateway.yaml");

const TEXT = `gateway:
  name: reuse
  listeners:
    - name: web
      address: 127.0.0.1
      port: 8080
      hostnames: [api.test]
providers:
  app:
    type: service
    endpoints: ["127.0.0.1:9999"]
    plaintext: { reason: test backend on loopback }
    retries:
      attempts: 2
      on:
        - 5xx
        - reset
apis:
  - name: shop
    owner: team-shop
    description: The shop.
    basePath: /shop
    versions:
      v1:
        state: published
        access: { public: { reason: the public shop front } }
        routes:
          - name: browse
            match: { prefix: /items }
            provider: app
          - name: buy
            match: { path: /buy, methods: [POST] }
            provider: app
  - name: other
    owner: team-other
    description: Another API.
    basePath: /other
    versions:
      v1:
        state: published
        access: { public: { reason: a public API } }
        routes:
          - name: ping
            match: { path: /ping }
            provider: app
`;

async function compiled(text: string): Promise<CompileResult> {
  writeFileSync(file, text);
  const result = await compileGatewayFile(file, { secrets: "placeholder", env: {} });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result;
}

/** Every route of the snapshot's route tables: name → what a test here looks at. */
function routes(result: CompileResult): Map<string, { path: string; retryOn: string }> {
  const out = new Map<string, { path: string; retryOn: string }>();
  for (const resource of result.snapshot!.resources.get(xds.ROUTE_CONFIGURATION_TYPE_URL)!.values()) {
    for (const host of (resource.message as RouteConfiguration).virtualHosts) {
      for (const route of host.routes) {
        const action = route.action.case === "route" ? route.action.value : undefined;
        const match = route.match?.pathSpecifier;
        // A plain string, or the regex or template message an exact path or template compiles to.
        const path = typeof match?.value === "string" ? match.value : JSON.stringify(match?.value, (_, v) => (typeof v === "bigint" ? String(v) : v));
        const ids = new Set(result.ir!.routes.map((ir) => ir.id));
        out.set(hostRouteId(host, route.name, (id) => ids.has(id)), { path, retryOn: action?.retryPolicy?.retryOn ?? "" });
      }
    }
  }
  return out;
}

function domains(result: CompileResult): string[] {
  return [...result.snapshot!.resources.get(xds.ROUTE_CONFIGURATION_TYPE_URL)!.values()].flatMap((resource) => (resource.message as RouteConfiguration).virtualHosts.flatMap((host) => host.domains));
}

describe("reusing unchanged config on a reload", () => {
  it("follows edits of the provider, the route and the API around an unchanged version", async () => {
    const first = await compiled(TEXT);
    expect(routes(first).get("shop.v1.buy")?.path).toContain("/v1/shop/buy");
    expect(routes(first).get("shop.v1.buy")?.retryOn).toBe("5xx,reset");

    // An item of the provider's retry conditions: the providers section is new, the versions are the same objects.
    const retried = await compiled(TEXT.replace("        - reset", "        - connect-failure"));
    expect(retried.config!.apis![0]).toBe(first.config!.apis![0]);
    expect(retried.config!.providers).not.toBe(first.config!.providers);
    expect(routes(retried).get("shop.v1.buy")?.retryOn).toBe("5xx,connect-failure");
    expect(routes(retried).get("other.v1.ping")?.retryOn).toBe("5xx,connect-failure");

    // A route of one API: the other API is the same object, and keeps its routes.
    const edited = await compiled(TEXT.replace("        - reset", "        - connect-failure").replace("match: { path: /buy, methods: [POST] }", "match: { path: /checkout, methods: [POST] }"));
    expect(edited.config!.apis![1]).toBe(retried.config!.apis![1]);
    expect(routes(edited).get("shop.v1.buy")?.path).toContain("/v1/shop/checkout");
    expect(routes(edited).get("other.v1.ping")).toEqual(routes(retried).get("other.v1.ping"));

    // The listener's host names, which every version's routes are served for: the APIs are the same objects.
    const renamed = await compiled(TEXT.replace("        - reset", "        - connect-failure").replace("match: { path: /buy, methods: [POST] }", "match: { path: /checkout, methods: [POST] }").replace("hostnames: [api.test]", "hostnames: [shop.test]"));
    expect(renamed.config!.apis).toBe(edited.config!.apis);
    expect(domains(renamed)).toContain("shop.test");
    expect(domains(renamed)).not.toContain("api.test");
    expect(routes(renamed).get("shop.v1.buy")?.path).toContain("/v1/shop/checkout");

    // The API's base path, around a version whose text did not change.
    const moved = await compiled(TEXT.replace("        - reset", "        - connect-failure").replace("match: { path: /buy, methods: [POST] }", "match: { path: /checkout, methods: [POST] }").replace("basePath: /shop", "basePath: /store"));
    expect(routes(moved).get("shop.v1.buy")?.path).toContain("/v1/store/checkout");
    expect(routes(moved).get("shop.v1.browse")?.path).toContain("/v1/store/items");
  });
});
