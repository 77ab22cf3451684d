/** What the access-log receiver needs to know of a gateway, read from its IR. */
import { claimPath } from "../model/claims.ts";
import type { GatewayIR } from "../model/ir.ts";
import { consumerTeams } from "../model/teams.ts";
import type { AuditGateway } from "./record.ts";

export function auditGateway(ir: GatewayIR): AuditGateway {
  return {
    identityHeaders: ir.identityHeaders,
    redactHeaders: new Set(ir.accessLog.redactHeaders),
    jwtSubjects: new Map(ir.jwtProviders.map((jwt) => [jwt.name, claimPath(jwt.claims.subject)])),
    teams: consumerTeams(ir),
    routes: new Set(ir.routes.map((route) => route.id)),
  };
}
