/**
 * Which identity and access config a virtual host carries for its routes (src/xds/host-access.ts):
 * the one that leaves the fewest bytes, counting the filter's "none" that routes without a config
 * then spell out, and the same choice whatever the route order. That Envoy decides the same with
 * it is proven through Envoy by the access e2e tests; the verifier checks every effective config.
 */
import { describe, expect, it } from "vitest";
import { RBAC_Action } from "../../generated/envoy/config/rbac/v3/rbac_pb.js";
import { RBACPerRouteSchema } from "../../generated/envoy/extensions/filters/http/rbac/v3/rbac_pb.js";
import { RBAC_OFF } from "../../src/xds/filters/rbac.ts";
import { configKey, hostConfig, routeWrite } from "../../src/xds/host-access.ts";
import { packed } from "../../src/xds/proto.ts";

const rules = (name: string) => packed(RBACPerRouteSchema, { rbac: { rules: { action: RBAC_Action.ALLOW, policies: { [name]: { permissions: [{ rule: { case: "any", value: true } }], principals: [{ identifier: { case: "any", value: true } }] } } } } });
const own = (config: ReturnType<typeof rules>) => ({ key: configKey(config), config, own: true });
const staff = own(rules("staff"));
const partners = own(rules("partners"));
const off = own(RBAC_OFF);
/** A guard or 405: no config of its own, so the filter's none (RBAC off) applies. */
const guard = { ...off, own: false };

describe("configs carried by the virtual host", () => {
  it("are those most routes share; a route without one then spells out the filter's none", () => {
    const hosted = hostConfig([guard, staff, partners, staff, off, staff]);
    expect(hosted?.key).toBe(staff.key);
    expect([guard, staff, partners, off].map((route) => routeWrite(route, hosted?.key))).toEqual(["neutral", "omit", "own", "own"]);
  });

  it("are the filter's none when that leaves fewer bytes, and routes without one then write nothing", () => {
    const hosted = hostConfig([guard, guard, guard, off, off, staff, staff]);
    expect(hosted?.key).toBe(off.key);
    expect([guard, off, staff].map((route) => routeWrite(route, hosted?.key))).toEqual(["omit", "omit", "own"]);
  });

  it("are none when no two routes share a config, or when no route has one", () => {
    expect(hostConfig([staff, partners, guard])).toBeUndefined();
    expect(hostConfig([guard, guard, guard])).toBeUndefined();
    expect(routeWrite(guard, undefined)).toBe("omit");
    expect(routeWrite(staff, undefined)).toBe("own");
  });

  it("do not depend on route order (ties go to the smaller key)", () => {
    const users = own(rules("users")); // as long as staff's: the same saving
    const a = hostConfig([staff, users, staff, users]);
    const b = hostConfig([users, staff, users, staff]);
    expect(a?.key).toBe(b?.key);
    expect(a?.key).toBe([staff.key, users.key].sort()[0]);
  });
});
