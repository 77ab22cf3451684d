import { DEFAULT_IDENTITY_HEADERS } from "../model/identity-headers.ts";
import type { GatewayIR } from "../model/ir.ts";

/** Reserved even where nothing sets it yet, so a client can never pose as a team. */
const RESERVED = ["x-portcullis-team"];

/**
 * Request headers the gateway itself sets (identity for upstreams), under their default and their
 * configured names. A client could send its own copy to impersonate someone, so the connection
 * manager removes them from client requests before any filter runs (client-header-removal.ts).
 */
export function gatewaySetRequestHeaders(ir: GatewayIR): string[] {
  // The AI route header picks which provider (and key) serves a request: only the processor sets it.
  const ai = ir.ai ? [ir.ai.routeHeader] : [];
  return [...new Set([...Object.values(DEFAULT_IDENTITY_HEADERS), ...Object.values(ir.identityHeaders), ...RESERVED, ...ai])].sort();
}

/** Route metadata namespace read by access logs and later filters. */
export const METADATA_NAMESPACE = "portcullis";
