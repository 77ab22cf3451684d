/** The zeroTrust, audit and policy sections. */

import type { IsoDate } from "./common.ts";

export interface ZeroTrust {
  /**
   * `strict` denies anything not explicitly allowed and turns weak settings into errors;
   * `permissive` reports them as warnings.
   * @default "strict"
   */
  mode?: "strict" | "permissive";
  /**
   * Require TLS to every upstream unless it carries a `plaintext` justification.
   * @default true
   */
  requireUpstreamTls?: boolean;
}

export interface AuditSettings {
  /**
   * Where access logs go: `stdout`, or a file path.
   * @default "stdout"
   * @minLength 1
   */
  accessLog?: string;
  /** Extra request headers never written to logs (Authorization, API keys and cookies never are). */
  redactHeaders?: string[];
}

export interface PolicySettings {
  /**
   * Rule packs of your own, on top of the built-in `zero-trust` and `governance` packs: YAML files
   * (relative to the config file) in the format of the packs in Portcullis's policies/ folder.
   * @example ["./policies/ours.yaml"]
   */
  packs?: string[];
  /**
   * Severity per rule id (`PCL-ZT-001`, a rule of your packs), or `off`. Compile findings
   * (`PCL1001`–`PCL4999`) are not policy rules and cannot be changed here.
   */
  rules?: Record<string, "error" | "warning" | "off">;
  /** Findings accepted on purpose, each with an owner and an expiry. */
  waivers?: Waiver[];
}

export interface Waiver {
  /** Rule id, e.g. `PCL-ZT-001`. */
  rule: string;
  /**
   * What the waiver covers: `apis.<api>`, `apis.<api>.versions.<version>`, `...routes.<route>`,
   * `providers.<name>`, `identities.<name>`, `gateway.listeners.<name>`, `ai` or `ai.routes.<route>`.
   * It waives the rule's findings on that target and everything under it.
   */
  target: string;
  /**
   * Why the finding is accepted.
   * @minLength 10
   */
  reason: string;
  /** Who answers for it. */
  owner: string;
  /** Date after which the waiver no longer applies. */
  expires: IsoDate;
}
