import type { MessageInitShape } from "@bufbuild/protobuf";
import type { SecretSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/secret_pb.js";
import type { SecretIR } from "../model/ir.ts";

const inline = (bytes: Uint8Array) => ({ specifier: { case: "inlineBytes" as const, value: bytes } });

/** An SDS Secret: a certificate with its key, or a CA bundle to validate peers against. */
export function secret(secret: SecretIR): MessageInitShape<typeof SecretSchema> {
  if (secret.kind === "validation-context") {
    return { name: secret.name, type: { case: "validationContext", value: { trustedCa: inline(secret.certificate.reveal()) } } };
  }
  return {
    name: secret.name,
    type: {
      case: "tlsCertificate",
      value: { certificateChain: inline(secret.certificate.reveal()), privateKey: inline(secret.privateKey?.reveal() ?? new Uint8Array()) },
    },
  };
}
