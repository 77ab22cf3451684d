/**
 * No gateway identity header reaches a backend from the client: every connection manager's early
 * header mutation (it runs before route selection and every filter) removes each header only the
 * gateway may set — the compile result's identity headers, and every request header the output
 * itself sets for backends (the identity header mutation, api_key_auth's consumer header).
 */
import type { HeaderMutation } from "../../generated/envoy/config/common/mutation_rules/v3/mutation_rules_pb.js";
import { ExtensionWithMatcherSchema } from "../../generated/envoy/extensions/common/matching/v3/extension_matcher_pb.js";
import { ApiKeyAuthSchema } from "../../generated/envoy/extensions/filters/http/api_key_auth/v3/api_key_auth_pb.js";
import { HeaderMutationSchema as HttpHeaderMutationSchema } from "../../generated/envoy/extensions/filters/http/header_mutation/v3/header_mutation_pb.js";
import type { HttpConnectionManager } from "../../generated/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js";
import { HeaderMutationSchema as EarlyHeaderMutationSchema } from "../../generated/envoy/extensions/http/early_header_mutation/header_mutation/v3/header_mutation_pb.js";
import type { VerifyExpectations } from "./expectations.ts";
import { type ConnectionManager, typedConfigOf, unpackAs } from "./resources.ts";
import type { Violations } from "./violations.ts";

/** Header names the early header mutations remove, lower case; undefined when there is none. */
function removedOnArrival(hcm: HttpConnectionManager): Set<string> | undefined {
  const early = hcm.earlyHeaderMutationExtensions.flatMap((extension) => {
    const config = unpackAs(extension.typedConfig, EarlyHeaderMutationSchema);
    return config ? [config] : [];
  });
  if (early.length === 0) return undefined;
  return new Set(early.flatMap((config) => config.mutations.flatMap((m: HeaderMutation) => (m.action.case === "remove" ? [m.action.value.toLowerCase()] : []))));
}

/** Request headers the connection manager's filters set for the backend. */
function setByFilters(hcm: HttpConnectionManager): string[] {
  return hcm.httpFilters.flatMap((filter) => {
    const any = typedConfigOf(filter);
    const mutation = unpackAs(any, HttpHeaderMutationSchema);
    if (mutation) return (mutation.mutations?.requestMutations ?? []).flatMap((m) => (m.action.case === "append" && m.action.value.header ? [m.action.value.header.key.toLowerCase()] : []));
    const apiKeys = unpackAs(any, ApiKeyAuthSchema) ?? unpackAs(unpackAs(any, ExtensionWithMatcherSchema)?.extensionConfig?.typedConfig, ApiKeyAuthSchema);
    return apiKeys?.forwarding?.header ? [apiKeys.forwarding.header.toLowerCase()] : [];
  });
}

export function verifyClientHeaders(managers: readonly ConnectionManager[], expected: VerifyExpectations, out: Violations): void {
  for (const { listener, at, hcm } of managers) {
    const resource = { kind: "Listener" as const, name: listener.name };
    const removed = removedOnArrival(hcm);
    if (!removed) {
      out.add("PCL6030", resource, `${at}.early_header_mutation_extensions`, "no early header mutation removes client copies of the gateway's identity headers, so a client can pose as any caller to the backend.");
      continue;
    }
    for (const header of new Set([...expected.gatewayHeaders, ...setByFilters(hcm)])) {
      if (!removed.has(header)) out.add("PCL6031", resource, `${at}.early_header_mutation_extensions`, `${header} is not removed from client requests, so a client's copy reaches the backend as if the gateway had set it.`);
    }
  }
}
