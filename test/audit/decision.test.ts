/** The decision and reason a record gets from Envoy's response code details and flags. */
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ResponseFlagsSchema } from "../../generated/envoy/data/accesslog/v3/accesslog_pb.js";
import { decide } from "../../src/audit/decision.ts";

describe("audit decisions", () => {
  it.each([
    [200, "via_upstream", {}, { decision: "allow" }],
    [401, "jwt_authn_access_denied{Jwt_is_missing}", {}, { decision: "deny", reason: "jwt: Jwt_is_missing" }],
    [403, "rbac_access_denied_matched_policy[none]", {}, { decision: "deny", reason: "rbac: no rule allows the caller" }],
    [403, "rbac_access_denied_matched_policy[deny-contractors]", {}, { decision: "deny", reason: "rbac: policy deny-contractors" }],
    [401, "api_key_auth_unauthenticated", {}, { decision: "deny", reason: "api key: api_key_auth_unauthenticated" }],
    [429, "local_rate_limited", {}, { decision: "rate_limited", reason: "local_rate_limited" }],
    [429, "request_rate_limited", { rateLimited: true }, { decision: "rate_limited", reason: "request_rate_limited" }],
    [429, "portcullis_ai", {}, { decision: "budget", reason: "AI budget or token limit" }],
    [410, "direct_response", {}, { decision: "gone", reason: "direct_response" }],
    [404, "route_not_found", { noRouteFound: true }, { decision: "no_route", reason: "route_not_found" }],
    [503, "upstream_reset_before_response_started{connection_failure}", {}, { decision: "error", reason: "upstream_reset_before_response_started{connection_failure}" }],
  ] as const)("%i %s", (status, details, flags, expected) => {
    expect(decide(status, details, create(ResponseFlagsSchema, flags))).toEqual(expected);
  });
});
