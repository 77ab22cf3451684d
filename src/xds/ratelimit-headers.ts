/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy`
 * names each limit with its quota (`q`) and window in seconds (`w`); `RateLimit` says what is
 * left (`r`) and in how many seconds the window resets (`t`). Both are Structured Field lists whose
 * items are the policy names as strings. Envoy's own x-ratelimit-* headers (DRAFT_VERSION_03) are
 * an older draft with other names, so Portcullis writes these itself: the rate-limit service on
 * every answer, and for local limits the 429 (a static policy from local_ratelimit, completed by
 * the local reply with the Retry-After local_ratelimit computes).
 */
import { HeaderValueOption_HeaderAppendAction } from "../../generated/envoy/config/core/v3/base_pb.js";
import type { GatewayIR } from "../model/ir.ts";
import { statusIs } from "./local-replies.ts";
import { limitedLocally, someRoute } from "../model/route-counts.ts";

/** An sf-string: quotes and backslashes escaped. */
const sfString = (text: string) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

export function rateLimitPolicyHeader(limits: readonly { readonly policy: string; readonly requests: number; readonly periodSeconds: number }[]): string {
  return limits.map((limit) => `${sfString(limit.policy)};q=${limit.requests};w=${limit.periodSeconds}`).join(", ");
}

export function rateLimitHeader(states: readonly { readonly policy: string; readonly remaining: number; readonly resetSeconds: number }[]): string {
  return states.map((state) => `${sfString(state.policy)};r=${state.remaining};t=${state.resetSeconds}`).join(", ");
}

/**
 * The 429 of a local limit: RateLimit from the policy local_ratelimit added and its Retry-After
 * (`"orders.v1.list";q=10;w=60;r=0;t=42` — q and w are extra parameters, which the draft lets
 * clients ignore). Added only when absent: the rate-limit service writes a complete one itself.
 */
export function rateLimitReplyHeaders(ir: GatewayIR) {
  if (!someRoute(ir.routes, limitedLocally)) return [];
  return [{ header: { key: "ratelimit", value: "%RESP(ratelimit-policy)%;r=0;t=%RESP(retry-after)%" }, appendAction: HeaderValueOption_HeaderAppendAction.ADD_IF_ABSENT }];
}

/** Envoy's answer when the rate-limit service failed and the limit fails closed (response flag RLSE). */
export function rateLimitServiceFailed() {
  return {
    filterSpecifier: {
      case: "andFilter" as const,
      value: {
        filters: [
          statusIs(503),
          { filterSpecifier: { case: "responseFlagFilter" as const, value: { flags: ["RLSE"] } } },
        ],
      },
    },
  };
}
