/**
 * Which RBAC config a virtual host carries for its routes (src/xds/host-access.ts): the one whose
 * move saves the most bytes, counting the explicit "RBAC off" the guards then need, and the same
 * choice whatever the route order. That Envoy decides the same with it is proven through Envoy by
 * the access e2e tests, and the verifier checks every route's effective config.
 */
import { describe, expect, it } from "vitest";
import { RBAC_Action } from "../../generated/envoy/config/rbac/v3/rbac_pb.js";
import { RBACPerRouteSchema } from "../../generated/envoy/extensions/filters/http/rbac/v3/rbac_pb.js";
import { RBAC_OFF } from "../../src/xds/filters/rbac.ts";
import { configKey, hostAccess } from "../../src/xds/host-access.ts";
import { packed } from "../../src/xds/proto.ts";

const rules = (name: string) => packed(RBACPerRouteSchema, { rbac: { rules: { action: RBAC_Action.ALLOW, policies: { [name]: { permissions: [{ rule: { case: "any", value: true } }], principals: [{ identifier: { case: "any", value: true } }] } } } } });
const entry = (config: ReturnType<typeof rules>) => ({ key: configKey(config)!, config });
const staff = entry(rules("staff"));
const partners = entry(rules("partners"));
const off = entry(RBAC_OFF);

describe("access rules carried by the virtual host", () => {
  it("are those most routes share, and the guards then turn RBAC off", () => {
    const chosen = hostAccess([staff, partners, staff, off, staff], 2);
    expect(chosen?.key).toBe(staff.key);
    expect(chosen?.guardsNeedRbacOff).toBe(true);
  });

  it("are RBAC off when that saves more, with nothing for the guards to add", () => {
    const chosen = hostAccess([off, off, off, staff, staff], 40);
    expect(chosen?.key).toBe(off.key);
    expect(chosen?.guardsNeedRbacOff).toBe(false);
  });

  it("are none when no two routes share a config, or the guards would cost more than the move saves", () => {
    expect(hostAccess([staff, partners, off], 1)).toBeUndefined();
    expect(hostAccess([staff, staff], 200)).toBeUndefined();
  });

  it("do not depend on route order (ties go to the smaller key)", () => {
    const users = entry(rules("users")); // as long as staff's: the same saving
    const a = hostAccess([staff, users, staff, users], 0);
    const b = hostAccess([users, staff, users, staff], 0);
    expect(a?.key).toBe(b?.key);
    expect(a?.key).toBe([staff.key, users.key].sort()[0]);
  });
});
