/** How a TLS context checks its peer's certificate, for upstream and downstream checks alike. */
import { CertificateValidationContext_TrustChainVerification } from "../../generated/envoy/extensions/transport_sockets/tls/v3/common_pb.js";
import type { CommonTlsContext } from "../../generated/envoy/extensions/transport_sockets/tls/v3/tls_pb.js";

/**
 * `none`: no validation context (a server then asks for no client certificate); `verified`: a
 * trust anchor (inline or SDS) and no ACCEPT_UNTRUSTED; `unverified`: a context that lets any
 * certificate through, so the peer names itself.
 */
export function peerValidation(validation: CommonTlsContext["validationContextType"] | undefined): "none" | "verified" | "unverified" {
  if (validation?.case === undefined) return "none";
  if (validation.case === "validationContextSdsSecretConfig") return "verified";
  const combined = validation.case === "combinedValidationContext" ? validation.value : undefined;
  const context = validation.case === "validationContext" ? validation.value : combined?.defaultValidationContext;
  const anchored = combined?.validationContextSdsSecretConfig !== undefined || context?.trustedCa !== undefined;
  return anchored && context?.trustChainVerification !== CertificateValidationContext_TrustChainVerification.ACCEPT_UNTRUSTED ? "verified" : "unverified";
}
