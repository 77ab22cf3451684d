/**
 * policy.rules changes a rule's severity or turns it off; ids that are not policy rules are errors
 * that say what the id is. zeroTrust.mode: permissive reports the zero-trust pack's errors as warnings.
 */
import { describe, expect, it } from "vitest";
import type { GatewayConfig } from "../../src/config/types.ts";
import { changed, compile, policyFindings } from "./policy-config.ts";

/** Two routes that deny every caller (PCL-ZT-001, a warning) and CORS for any origin with credentials (PCL-ZT-008, an error). */
const risky = (edit: (config: GatewayConfig) => void = () => {}) =>
  changed((c) => {
    const v1 = c.apis![0]!.versions["v1"]!;
    delete v1.access;
    v1.routes[0]!.cors = { origins: ["*"], credentials: true };
    edit(c);
  });

const severities = (config: GatewayConfig) => policyFindings(config).map((d) => `${d.code} ${d.severity}`).sort();

describe("severities", () => {
  it("are the packs' own by default", () => {
    expect(severities(risky())).toEqual(["PCL-ZT-001 warning", "PCL-ZT-001 warning", "PCL-ZT-008 error"]);
    expect(compile(risky()).snapshot).toBeUndefined();
  });

  it("policy.rules raises, lowers and turns rules off", () => {
    const tuned = risky((c) => (c.policy = { rules: { "PCL-ZT-001": "error", "PCL-ZT-008": "warning", "PCL-GOV-002": "off" } }));
    expect(severities(tuned)).toEqual(["PCL-ZT-001 error", "PCL-ZT-001 error", "PCL-ZT-008 warning"]);
    const off = risky((c) => (c.policy = { rules: { "PCL-ZT-001": "off", "PCL-ZT-008": "off" } }));
    expect(severities(off)).toEqual([]);
    expect(compile(off).snapshot).toBeDefined();
  });

  it("permissive zero trust reports the zero-trust pack's errors as warnings, unless policy.rules says otherwise", () => {
    expect(severities(risky((c) => (c.zeroTrust = { mode: "permissive" })))).toEqual(["PCL-ZT-001 warning", "PCL-ZT-001 warning", "PCL-ZT-008 warning"]);
    const explicit = risky((c) => {
      c.zeroTrust = { mode: "permissive" };
      c.policy = { rules: { "PCL-ZT-008": "error" } };
    });
    expect(severities(explicit)).toContain("PCL-ZT-008 error");
  });

  it("an id no pack defines is an error at its key, with the id it probably meant", () => {
    const [finding] = policyFindings(changed((c) => (c.policy = { rules: { "PCL-ZT-0001": "off" } })));
    expect(finding).toMatchObject({ code: "PCL5010", severity: "error", path: ["policy", "rules", "PCL-ZT-0001"], message: "policy.rules names PCL-ZT-0001, which no pack defines", hint: "did you mean PCL-ZT-001?" });
  });

  it("a compile code is not a policy rule; the hint names the rule on the same problem", () => {
    const [finding] = policyFindings(changed((c) => (c.policy = { rules: { PCL3017: "off" } })));
    expect(finding).toMatchObject({ code: "PCL5010", severity: "error", path: ["policy", "rules", "PCL3017"] });
    expect(finding!.message).toBe("PCL3017 is a compile finding, not a policy rule: it says the config cannot be compiled as written, so it cannot be turned off or down");
    expect(finding!.hint).toBe("the policy rule on the same problem is PCL-ZT-004 (Plaintext upstream beyond this host); set its severity instead");
  });
});
