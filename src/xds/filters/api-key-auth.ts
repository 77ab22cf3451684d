import { ApiKeyAuthPerRouteSchema, ApiKeyAuthSchema } from "../../../generated/envoy/extensions/filters/http/api_key_auth/v3/api_key_auth_pb.js";
import { FilterConfigSchema } from "../../../generated/envoy/config/route/v3/route_components_pb.js";
import { ExtensionWithMatcherSchema } from "../../../generated/envoy/extensions/common/matching/v3/extension_matcher_pb.js";
import { SkipFilterSchema } from "../../../generated/envoy/extensions/filters/common/matcher/action/v3/skip_action_pb.js";
import { HttpRequestHeaderMatchInputSchema, HttpRequestQueryParamMatchInputSchema } from "../../../generated/envoy/type/matcher/v3/http_inputs_pb.js";
import { apiKeyOptional, apiKeyRules, optionalKeySources } from "../../model/api-key-routes.ts";
import type { ApiKeySourceIR, GatewayIR, RouteIR } from "../../model/ir.ts";
import { packed, typedExtension, sharedExtensionConfig } from "../proto.ts";
import type { HttpFilterModule } from "./http-filter.ts";
import { someRoute } from "../../model/route-counts.ts";

/** A route that answers 401 to a request without a key. */
const demandsKey = (route: RouteIR) => apiKeyRules(route).length > 0 && !apiKeyOptional(route);

export const API_KEY_AUTH_FILTER = "envoy.filters.http.api_key_auth";
/** The same check where a key is one credential among others: skipped when the request carries no key. */
export const OPTIONAL_API_KEY_AUTH_FILTER = "envoy.filters.http.api_key_auth.optional";

/** The consumer goes upstream in the gateway's header; the key itself never does. */
const forwarding = (consumerHeader: string) => ({ header: consumerHeader, hideCredentials: true });

function keySource(source: ApiKeySourceIR) {
  return "header" in source ? { header: source.header } : { query: source.query };
}

function apiKeyAuth(ir: GatewayIR) {
  const decoder = new TextDecoder();
  const credentials = ir.apiKeyProviders.flatMap((provider) =>
    provider.consumers.flatMap((consumer) => consumer.keys.map((key) => ({ key: decoder.decode(key.reveal()), client: consumer.name }))),
  );
  return { credentials, forwarding: forwarding(ir.identityHeaders.consumer) };
}

/** The chain entries are disabled: a route that does not enable one asks for no key, as this says. */
const KEYS_OFF = packed(FilterConfigSchema, { disabled: true });

/** Per route: the identity's key source and the consumers its rules admit; enables the (disabled) chain entry. */
function perRoute(route: RouteIR) {
  const rules = apiKeyRules(route);
  const config = packed(ApiKeyAuthPerRouteSchema, {
    keySources: [keySource(rules[0]!.apiKey.source)],
    allowedClients: [...new Set(rules.flatMap((rule) => rule.apiKey.consumers))].sort(),
    // A route's config replaces the chain entry's forwarding rather than merging with it.
    forwarding: forwarding(rules[0]!.apiKey.consumerHeader),
  });
  return packed(FilterConfigSchema, { config });
}

/** Present in the request: the key source has some value (xDS matchers see an absent header as no input). */
function carries(source: ApiKeySourceIR) {
  const input =
    "header" in source
      ? sharedExtensionConfig("key-header", HttpRequestHeaderMatchInputSchema, { headerName: source.header })
      : sharedExtensionConfig("key-query", HttpRequestQueryParamMatchInputSchema, { queryParam: source.query });
  return { matchType: { case: "singlePredicate" as const, value: { input, matcher: { case: "valueMatch" as const, value: { matchPattern: { case: "safeRegex" as const, value: { engineType: { case: "googleRe2" as const, value: {} }, regex: ".*" } } } } } } };
}

/** Skip the wrapped filter when the request carries none of the key sources. */
function skipWithoutKey(sources: readonly ApiKeySourceIR[]) {
  const anyKey = sources.length === 1 ? carries(sources[0]!) : { matchType: { case: "orMatcher" as const, value: { predicate: sources.map(carries) } } };
  const skip = sharedExtensionConfig("skip", SkipFilterSchema, {});
  return { matcherType: { case: "matcherList" as const, value: { matchers: [{ predicate: { matchType: { case: "notMatcher" as const, value: anyKey } }, onMatch: { onMatch: { case: "action" as const, value: skip } } }] } } };
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
  chainEntry: (ir) => {
    if (!someRoute(ir.routes, demandsKey)) return undefined;
    // Only routes that take API keys turn it on (perRoute); the others never ask for a key.
    return { ...typedExtension(API_KEY_AUTH_FILTER, ApiKeyAuthSchema, apiKeyAuth(ir)), disabled: true };
  },
  perRoute: (route) => (apiKeyRules(route).length > 0 && !apiKeyOptional(route) ? perRoute(route) : undefined),
  hostNeutral: KEYS_OFF,
};

/**
 * The same keys on routes that also admit tokens, certificates or addresses: a request with no
 * key skips the check (an xDS matcher around the filter), a request with one must present a valid
 * key of an admitted consumer, and the access rules decide the rest.
 */
export const optionalApiKeyAuthFilter: HttpFilterModule = {
  name: OPTIONAL_API_KEY_AUTH_FILTER,
  chainEntry: (ir) => {
    const sources = optionalKeySources(ir.routes);
    if (sources.length === 0) return undefined;
    return {
      ...typedExtension(OPTIONAL_API_KEY_AUTH_FILTER, ExtensionWithMatcherSchema, {
        extensionConfig: sharedExtensionConfig(OPTIONAL_API_KEY_AUTH_FILTER, ApiKeyAuthSchema, apiKeyAuth(ir)),
        xdsMatcher: skipWithoutKey(sources),
      }),
      disabled: true,
    };
  },
  perRoute: (route) => (apiKeyOptional(route) ? perRoute(route) : undefined),
  hostNeutral: KEYS_OFF,
};
