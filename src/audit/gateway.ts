/** What the access-log receiver needs to know of a gateway, read from its IR. */
import type { GatewayIR } from "../model/ir.ts";
import type { AuditGateway } from "./record.ts";

export function auditGateway(ir: GatewayIR): AuditGateway {
  return {
    identityHeaders: ir.identityHeaders,
    redactHeaders: new Set(ir.accessLog.redactHeaders),
    teams: new Map(ir.apiKeyProviders.flatMap((identity) => identity.consumers.flatMap((consumer) => (consumer.team ? [[consumer.name, consumer.team] as const] : [])))),
  };
}
