/**
 * The access decision of a request and why, from what Envoy says about it: the response code
 * details each deciding filter sets (jwt_authn, api_key_auth, rbac, the rate limiters, the AI
 * processor's immediate replies) and the response flags.
 */
import type { ResponseFlags } from "../../generated/envoy/data/accesslog/v3/accesslog_pb.js";

/** `allow`: admitted and passed on; `deny`: refused by authentication or an access rule; the rest say which limit refused it. */
export type Decision = "allow" | "deny" | "rate_limited" | "budget" | "gone" | "no_route" | "error";

export interface DecisionAndReason {
  readonly decision: Decision;
  /** Why, in Envoy's words: `jwt: Jwt_is_expired`, `rbac: policy none`, `local_rate_limited`, … */
  readonly reason?: string;
}

/** The AI processor's immediate replies say this (src/ai/ext-proc-messages.ts); a 429 among them is a budget or token limit. */
const AI_PROCESSOR_DETAILS = "portcullis_ai";

export function decide(status: number, details: string, flags: ResponseFlags | undefined): DecisionAndReason {
  const jwt = /^jwt_authn_access_denied\{(.*)\}$/.exec(details);
  if (jwt) return { decision: "deny", reason: `jwt: ${jwt[1]}` };
  const rbac = /^rbac_access_denied_matched_policy\[(.*)\]$/.exec(details);
  if (rbac) return { decision: "deny", reason: rbac[1] === "none" ? "rbac: no rule allows the caller" : `rbac: policy ${rbac[1]}` };
  if (details.startsWith("api_key_auth")) return { decision: "deny", reason: `api key: ${details}` };
  if (details === "local_rate_limited" || details === "request_rate_limited" || flags?.rateLimited) return { decision: "rate_limited", reason: details || "rate limited" };
  if (details === AI_PROCESSOR_DETAILS && status === 429) return { decision: "budget", reason: "AI budget or token limit" };
  if (status === 410) return { decision: "gone", reason: details || "retired version" };
  if (flags?.noRouteFound) return { decision: "no_route", reason: details || "no route" };
  if (status === 401 || status === 403) return { decision: "deny", ...(details ? { reason: details } : {}) };
  if (status >= 500 || status === 0) return { decision: "error", ...(details ? { reason: details } : {}) };
  return { decision: "allow", ...(details && details !== "via_upstream" ? { reason: details } : {}) };
}
