/**
 * Diagnostic codes of the policy engine itself: packs that cannot be used, settings and waivers
 * that do not fit. PCL5xxx, never reused for another meaning. The findings of the rules carry the
 * rule's own id instead (`PCL-ZT-001`, `PCL-GOV-001`, a user pack's `ACME-001`): see policies/README.md.
 */
export const POLICY_CODES = {
  PCL5001: "Policy pack file cannot be read",
  PCL5002: "Policy pack is not a valid pack (YAML, keys, values)",
  PCL5003: "Rule expression does not parse",
  PCL5004: "Rule expression or message placeholder does not type-check against the policy view",
  PCL5005: "Rule id outside the id scheme, reserved, or defined twice",
  PCL5006: "Rule failed while evaluating (e.g. an optional field read without has())",
  PCL5010: "policy.rules names no policy rule",
  PCL5011: "Waiver for a rule that does not exist",
  PCL5012: "Waiver has expired",
  PCL5013: "Waiver target names nothing in the gateway",
  PCL5014: "Waiver waives no finding",
} as const;

export type PolicyCode = keyof typeof POLICY_CODES;

/** Rule ids: an upper-case prefix, optional upper-case parts, and a 3–4 digit number (`PCL-ZT-001`, `ACME-SEC-0001`). */
export const RULE_ID = /^[A-Z][A-Z0-9]*(?:-[A-Z][A-Z0-9]*)*-[0-9]{3,4}$/;

/** The `PCL-` prefix belongs to the built-in packs; user packs choose their own. */
export const BUILT_IN_PREFIX = "PCL-";

/** Whether a finding's code is a policy rule's id (a rule's finding) rather than a PCL1001–PCL5999 code. */
export const isRuleId = (code: string): boolean => RULE_ID.test(code);
