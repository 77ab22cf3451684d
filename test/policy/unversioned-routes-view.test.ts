// The policy view places an API's unversioned routes in their own section: rules and waivers name
// them `apis.<api>.unversioned.routes.<route>`, and a finding about access that the section gives
// them points at the section's `access`.
import { expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { buildView } from "../../src/policy/view.ts";

const config: GatewayConfig = {
  gateway: { name: "view", listeners: [{ name: "web", port: 8080, hostnames: ["api.example.com"] }] },
  providers: { orders: { type: "service", endpoints: ["10.0.0.1:8080"], plaintext: { reason: "test backend on a private network" } } },
  apis: [
    {
      name: "orders",
      owner: "shop",
      basePath: "/orders",
      unversioned: {
        access: { public: { reason: "load balancer health probes need no identity" } },
        routes: [
          { name: "health", match: { path: "/health" }, provider: "orders" },
          { name: "ready", match: { path: "/ready" }, provider: "orders", access: { public: { reason: "readiness probes need no identity" } } },
        ],
      },
      versions: { v1: { state: "published", access: { public: { reason: "a public API for the view test" } }, routes: [{ name: "list", match: { path: "/" }, provider: "orders" }] } },
    },
  ],
};

it("names and places unversioned routes in apis[].unversioned", () => {
  const { ir } = compileGateway(config);
  const routes = buildView(ir!).subjects.filter((subject) => subject.kind === "route");
  const byTarget = new Map(routes.map((subject) => [subject.target, subject]));
  expect([...byTarget.keys()].sort()).toEqual(["apis.orders.unversioned.routes.health", "apis.orders.unversioned.routes.ready", "apis.orders.versions.v1.routes.list"]);
  expect(byTarget.get("apis.orders.unversioned.routes.health")).toMatchObject({ path: ["apis", 0, "unversioned", "routes", 0], accessPath: ["apis", 0, "unversioned", "access"] });
  expect(byTarget.get("apis.orders.unversioned.routes.ready")).toMatchObject({ path: ["apis", 0, "unversioned", "routes", 1], accessPath: ["apis", 0, "unversioned", "routes", 1, "access"] });
  expect(byTarget.get("apis.orders.unversioned.routes.health")?.value).toMatchObject({ path: "/orders/health", version: "-" });
});
