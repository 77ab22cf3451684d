/**
 * Waivers, with a fixed "today": a current waiver hides its findings (listed as waived instead);
 * an expired one, one for an unknown rule, one whose target is not in the gateway and one that
 * waives nothing are errors placed at the waiver.
 */
import { describe, expect, it } from "vitest";
import type { Waiver } from "../../src/config/types.ts";
import { changed, codes, compile, TODAY } from "./policy-config.ts";

/** The base config with two deny-by-default routes (PCL-ZT-001) and the given waivers. */
const withWaivers = (...waivers: Waiver[]) =>
  changed((c) => {
    delete c.apis![0]!.versions["v1"]!.access;
    c.policy = { waivers };
  });

const waiver = (fields: Partial<Waiver>): Waiver => ({
  rule: "PCL-ZT-001",
  target: "apis.orders.versions.v1.routes.list",
  reason: "the list route is being moved to v2",
  owner: "team-orders",
  expires: "2026-09-30",
  ...fields,
});

describe("waivers", () => {
  it("hide exactly the findings of their rule and target, which are listed as waived", () => {
    const result = compile(withWaivers(waiver({})));
    expect(codes(result.diagnostics)).toEqual(["PCL-ZT-001"]);
    expect(result.diagnostics[0]!.message).toContain("orders.v1.get");
    expect(result.waived).toEqual([
      {
        rule: "PCL-ZT-001",
        target: "apis.orders.versions.v1.routes.list",
        message: "Route orders.v1.list has no allow rule and is not public, so it answers 403 to every caller.",
        reason: "the list route is being moved to v2",
        owner: "team-orders",
        expires: "2026-09-30",
      },
    ]);
  });

  it("cover everything under their target", () => {
    const result = compile(withWaivers(waiver({ target: "apis.orders" })));
    expect(result.diagnostics).toEqual([]);
    expect(result.waived?.map((w) => w.target)).toEqual(["apis.orders.versions.v1.routes.list", "apis.orders.versions.v1.routes.get"]);
    expect(result.snapshot).toBeDefined();
  });

  it("apply through their expiry day", () => {
    expect(compile(withWaivers(waiver({ expires: TODAY }))).waived).toHaveLength(1);
  });

  it("an expired waiver is an error, and its findings are reported again", () => {
    const result = compile(withWaivers(waiver({ expires: "2026-05-31" })));
    expect(codes(result.diagnostics).sort()).toEqual(["PCL-ZT-001", "PCL-ZT-001", "PCL5012"]);
    const expired = result.diagnostics.find((d) => d.code === "PCL5012")!;
    expect(expired).toMatchObject({ severity: "error", path: ["policy", "waivers", 0, "expires"] });
    expect(expired.message).toBe("waiver of PCL-ZT-001 for apis.orders.versions.v1.routes.list expired on 2026-05-31 (owner: team-orders)");
    expect(result.snapshot).toBeUndefined();
  });

  it("the same waiver is expired once today moves past its date", () => {
    expect(codes(compile(withWaivers(waiver({})), { today: "2026-10-01" }).diagnostics)).toContain("PCL5012");
  });

  it("a waiver for a rule no pack defines is an error with a suggestion", () => {
    const result = compile(withWaivers(waiver({}), waiver({ rule: "PCL-ZT-01" })));
    const unknown = result.diagnostics.find((d) => d.code === "PCL5011")!;
    expect(unknown).toMatchObject({ severity: "error", path: ["policy", "waivers", 1, "rule"], hint: "did you mean PCL-ZT-001?" });
  });

  it("a target that names nothing in the gateway is an error with a suggestion", () => {
    const result = compile(withWaivers(waiver({ target: "apis.orders.versions.v1.routes.lst" })));
    const nothing = result.diagnostics.find((d) => d.code === "PCL5013")!;
    expect(nothing).toMatchObject({ severity: "error", path: ["policy", "waivers", 0, "target"], hint: "did you mean 'apis.orders.versions.v1.routes.list'?" });
  });

  it("a waiver that waives no finding is an error", () => {
    const result = compile(withWaivers(waiver({ rule: "PCL-ZT-004", target: "providers.orders" })));
    const idle = result.diagnostics.find((d) => d.code === "PCL5014")!;
    expect(idle).toMatchObject({ severity: "error", path: ["policy", "waivers", 0] });
    expect(idle.message).toBe("waiver waives no finding: PCL-ZT-004 finds nothing at providers.orders");
  });

  it("a waiver of a rule that is turned off waives nothing, and says why", () => {
    const config = withWaivers(waiver({}));
    config.policy!.rules = { "PCL-ZT-001": "off" };
    const idle = compile(config).diagnostics.find((d) => d.code === "PCL5014")!;
    expect(idle.message).toBe("waiver waives no finding: PCL-ZT-001 is turned off in policy.rules");
  });
});
