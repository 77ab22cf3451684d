/**
 * MCP sessions bound to the caller that opened them: a server's `Mcp-Session-Id` is a bearer
 * secret, so one presented by another caller (another identity, subject, consumer or client
 * certificate) is refused as unknown (404, what servers answer for a session they do not have),
 * and never reaches the server. Bindings live in the processor's memory: a session first seen
 * after a restart (or on another Envoy's processor) is bound to whoever presents it first, except
 * at a federated endpoint: Envoy's mcp_router writes its session ids as readable, unsigned text
 * (each server's session id inside), which a caller could rewrite into an id never seen, so there
 * only sessions this processor saw issued are accepted (the client initializes again after a 404).
 */
import type { McpCaller } from "./tool-access.ts";

/** Most sessions remembered per gateway; the oldest are forgotten first. */
const MAX_SESSIONS = 100_000;

/** Who a caller is, for binding: the admitting identity and its principal. */
export const callerKey = (caller: McpCaller): string => JSON.stringify([caller.identity ?? "", caller.subject ?? "", caller.consumer ?? "", caller.spiffeId ?? ""]);

export class McpSessions {
  /** Session id → caller key, in binding order (a Map keeps insertion order). */
  readonly #owners = new Map<string, string>();

  /** Whether `caller` may use the session: its owner, or anyone for a session not bound yet unless `issuedOnly`. */
  mayUse(session: string, caller: McpCaller, issuedOnly = false): boolean {
    const owner = this.#owners.get(session);
    return owner === undefined ? !issuedOnly : owner === callerKey(caller);
  }

  bind(session: string, caller: McpCaller): void {
    if (this.#owners.has(session)) return;
    this.#owners.set(session, callerKey(caller));
    if (this.#owners.size > MAX_SESSIONS) this.#owners.delete(this.#owners.keys().next().value!);
  }

  end(session: string): void {
    this.#owners.delete(session);
  }
}
