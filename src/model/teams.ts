/** Which team each API-key consumer belongs to, as the IR says: what usage records, audit records and team budgets are keyed by. */
import type { GatewayIR } from "./ir.ts";

/** API-key consumer → team; consumers without a team are left out. */
export function consumerTeams(ir: Pick<GatewayIR, "apiKeyProviders">): ReadonlyMap<string, string> {
  return new Map(ir.apiKeyProviders.flatMap((identity) => identity.consumers.flatMap((consumer) => (consumer.team ? [[consumer.name, consumer.team] as const] : []))));
}
