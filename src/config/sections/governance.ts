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
  /**
   * Request headers the logs copy that must be left out of them: `host`, `user-agent`,
   * `x-request-id` or one of the gateway's identity headers (e.g. `x-portcullis-subject`, then
   * not sent to the audit store either). Authorization, API keys and cookies are never logged;
   * naming a header no log copies is an error (PCL3040).
   */
  redactHeaders?: string[];
  /**
   * The audit store: a SQLite file (relative to this config file) where the access-log receiver
   * keeps one record per request (who called what, the decision and why). Envoy sends the records
   * over gRPC (envoy.service.accesslog.v3) to `receiver`. `false` sends none (the access log above stays).
   * @default ".portcullis/audit.db"
   */
  store?: string | false;
  /**
   * How long audit records are kept; older ones are deleted in the background. Hours or days.
   * @default "30d"
   * @pattern ^[1-9][0-9]{0,5}(h|d)$
   * @example "90d"
   */
  retention?: string;
  /**
   * Where Envoy sends access logs for the audit store, as `host:port`. On a loopback address `serve`
   * and `up` run the receiver themselves; any other address is a fleet's own
   * `portcullis audit-receiver`. Envoy never waits for it: when it is down, records are dropped
   * (and counted) while traffic flows. Left unset, `up` runs its receiver on a free loopback port
   * (so two `up`s on one machine do not collide).
   * @default "127.0.0.1:18003"
   */
  receiver?: string;
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
