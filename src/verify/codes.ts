/**
 * Codes of the verifier (src/verify): an invariant the generated Envoy resources break. PCL6xxx,
 * never reused for another meaning. A violation is never the user's mistake — the config compiled
 * without errors — but a bug in Portcullis's compiler: it names the resource and the field.
 */
export const VERIFY_CODES = {
  // PCL6001–PCL6009: every forwarding route is covered by authentication and access rules, or public.
  PCL6001: "Route forwards to an upstream without per-route access rules (RBAC)",
  PCL6002: "Route turns access rules off but the compile result does not mark it public",
  PCL6003: "Route's access rules are not an allow-list",
  PCL6004: "Connection manager does not run the access-rule (RBAC) filter its routes rely on",
  PCL6005: "Route admits a caller nothing verifies",
  PCL6006: "Route admits a JWT identity whose token it does not require jwt_authn to verify",
  PCL6007: "Route admits an API-key consumer without api_key_auth checking the key",
  PCL6008: "Route admits by client certificate on a listener that accepts unverified certificates",
  // PCL6010–PCL6019: upstream TLS.
  PCL6010: "Cluster without TLS that the compile result does not name plaintext",
  PCL6011: "Cluster TLS that does not verify the upstream or allows TLS below 1.2",
  // PCL6020–PCL6029: connection manager hardening.
  PCL6020: "Connection manager lacks a hardening setting",
  PCL6021: "Connection manager does not take its routes from the route configuration of its listener",
  // PCL6030–PCL6039: identity headers from clients.
  PCL6030: "Connection manager lacks the early header mutation that removes client identity headers",
  PCL6031: "Gateway identity header that a client could send to a backend",
  // PCL6040–PCL6049: listeners.
  PCL6040: "Listener binds an address or port the config does not name",
} as const;

export type VerifyCode = keyof typeof VERIFY_CODES;
