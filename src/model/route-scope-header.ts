/**
 * The header a scoped listener's connection manager writes before route selection and reads its
 * route scope from (src/xds/route-scopes.ts). Envoy selects the scope again whenever a filter
 * clears the route cache, so a processor that does so must leave this header in place; each scope's
 * route configuration removes it before the upstream.
 */
export const ROUTE_SCOPE_HEADER = "x-portcullis-route-scope";
