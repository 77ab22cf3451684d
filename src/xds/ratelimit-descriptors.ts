/**
 * The rate-limit descriptors of a limit: what Envoy puts together for each request, from what the
 * gateway itself verified. Every descriptor starts with the limit's policy name and quota, so the
 * rate-limit service needs no config of its own (the same quota on every route of an API limit
 * makes one count); then comes the key: nothing (everyone together), the connection's peer address
 * (Envoy's remote_address, which follows `trustedProxyHops` like the access rules, never a raw
 * X-Forwarded-For), or an identity header that the gateway sets after authentication and removes
 * from client requests on arrival. Local and global mode use the same descriptors.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { RateLimitSchema } from "../../generated/envoy/config/route/v3/route_components_pb.js";
import type { RateLimitIR } from "../model/ir.ts";

export type RateLimitInit = MessageInitShape<typeof RateLimitSchema>;
type ActionInit = NonNullable<RateLimitInit["actions"]>[number];

/** Descriptor keys, as the rate-limit service reads them (src/ratelimit/descriptor.ts). */
export const DESCRIPTOR_KEYS = { policy: "policy", quota: "quota", client: "remote_address", identity: "identity", principal: "principal", consumer: "consumer", team: "team" } as const;

const genericKey = (key: string, value: string): ActionInit => ({ actionSpecifier: { case: "genericKey", value: { descriptorKey: key, descriptorValue: value } } });
const fromHeader = (header: string, key: string): ActionInit => ({ actionSpecifier: { case: "requestHeaders", value: { headerName: header, descriptorKey: key } } });
const headerIs = (header: string, pattern: { exact: string } | { regex: string }, key: string, value: string): ActionInit => ({
  actionSpecifier: {
    case: "headerValueMatch",
    value: {
      descriptorKey: key,
      descriptorValue: value,
      headers: [{ name: header, headerMatchSpecifier: { case: "stringMatch", value: { matchPattern: "exact" in pattern ? { case: "exact", value: pattern.exact } : { case: "safeRegex", value: { regex: pattern.regex } } } } }],
    },
  },
});

/** `requests/periodSeconds`, the quota the service counts against. */
export const quotaText = (limit: RateLimitIR) => `${limit.requests}/${limit.periodSeconds}`;

/**
 * One entry per descriptor Envoy may produce for this limit; an identity or team key gives one per
 * identity or team, of which a request matches exactly one (the header names it). Each action list
 * ends with the key, as `[policy, quota, key…]`.
 */
export function limitActions(limit: RateLimitIR): ActionInit[][] {
  const head = [genericKey(DESCRIPTOR_KEYS.policy, limit.policy), genericKey(DESCRIPTOR_KEYS.quota, quotaText(limit))];
  const keyHeader = limit.keyHeader ?? "";
  switch (limit.by) {
    case "global":
      return [head];
    case "client":
      return [[...head, { actionSpecifier: { case: "remoteAddress", value: {} } }]];
    case "consumer":
      return [[...head, fromHeader(keyHeader, DESCRIPTOR_KEYS.consumer)]];
    case "identity":
      return (limit.identities ?? []).map(({ name, principalHeader }) => [
        ...head,
        headerIs(keyHeader, { exact: name }, DESCRIPTOR_KEYS.identity, name),
        fromHeader(principalHeader, DESCRIPTOR_KEYS.principal),
      ]);
    case "team":
      // Consumer names are lowercase letters, digits and dashes: nothing a regex would read as syntax.
      return (limit.teams ?? []).map(({ team, consumers }) => [...head, headerIs(keyHeader, { regex: `^(${consumers.join("|")})$` }, DESCRIPTOR_KEYS.team, team)]);
  }
}

/**
 * The descriptor entries the actions above produce, with an empty value where it comes from the
 * request: Envoy's local_ratelimit keeps a bucket per distinct value of such an entry.
 */
export function limitDescriptorEntries(limit: RateLimitIR): { key: string; value: string }[][] {
  return limitActions(limit).map((actions) =>
    actions.map((action) => {
      const specifier = action.actionSpecifier;
      if (specifier?.case === "genericKey" || specifier?.case === "headerValueMatch") return { key: specifier.value.descriptorKey ?? "", value: specifier.value.descriptorValue ?? "" };
      if (specifier?.case === "requestHeaders") return { key: specifier.value.descriptorKey ?? "", value: "" };
      return { key: DESCRIPTOR_KEYS.client, value: "" };
    }),
  );
}
