import { ApiKeyAuthPerRouteSchema, ApiKeyAuthSchema } from "../../../generated/envoy/extensions/filters/http/api_key_auth/v3/api_key_auth_pb.js";
import { FilterConfigSchema } from "../../../generated/envoy/config/route/v3/route_components_pb.js";
import type { AllowRuleIR, ApiKeySourceIR, GatewayIR, RouteIR } from "../../model/ir.ts";
import { packed, typedExtension } from "../proto.ts";
import type { HttpFilterModule } from "./http-filter.ts";

export const API_KEY_AUTH_FILTER = "envoy.filters.http.api_key_auth";

/** The consumer goes upstream in the gateway's header; the key itself never does. */
const forwarding = (consumerHeader: string) => ({ header: consumerHeader, hideCredentials: true });

/** A route's API-key rules (the resolver allows one API-key identity per route, and no other kind beside it). */
function apiKeyRules(route: RouteIR): (AllowRuleIR & { apiKey: NonNullable<AllowRuleIR["apiKey"]> })[] {
  if (route.access.kind !== "identities") return [];
  return route.access.rules.filter((rule): rule is AllowRuleIR & { apiKey: NonNullable<AllowRuleIR["apiKey"]> } => rule.apiKey !== undefined);
}

function keySource(source: ApiKeySourceIR) {
  return "header" in source ? { header: source.header } : { query: source.query };
}

/**
 * API keys, verified by Envoy. The chain entry holds every consumer's keys and is disabled; a
 * route whose rules name an API-key identity enables it with that identity's key source and the
 * consumers its rules admit. A missing or unknown key is answered 401, a consumer not admitted 403.
 * The key never reaches the upstream; the consumer's name does, in the gateway's own header,
 * which the access rules (RBAC) then read.
 */
export const apiKeyAuthFilter: HttpFilterModule = {
  name: API_KEY_AUTH_FILTER,
  chainEntry: (ir: GatewayIR) => {
    if (!ir.routes.some((route) => apiKeyRules(route).length > 0)) return undefined;
    const decoder = new TextDecoder();
    const credentials = ir.apiKeyProviders.flatMap((provider) =>
      provider.consumers.flatMap((consumer) => consumer.keys.map((key) => ({ key: decoder.decode(key.reveal()), client: consumer.name }))),
    );
    return {
      ...typedExtension(API_KEY_AUTH_FILTER, ApiKeyAuthSchema, { credentials, forwarding: forwarding(ir.identityHeaders.consumer) }),
      // Only routes that take API keys turn it on (below); the others never ask for a key.
      disabled: true,
    };
  },
  perRoute: (route) => {
    const rules = apiKeyRules(route);
    if (rules.length === 0) return undefined;
    const config = packed(ApiKeyAuthPerRouteSchema, {
      keySources: [keySource(rules[0]!.apiKey.source)],
      allowedClients: [...new Set(rules.flatMap((rule) => rule.apiKey.consumers))].sort(),
      // A route's config replaces the chain entry's forwarding rather than merging with it.
      forwarding: forwarding(rules[0]!.apiKey.consumerHeader),
    });
    return packed(FilterConfigSchema, { config });
  },
};
