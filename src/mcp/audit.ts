/**
 * One audit record per tools/call the MCP processor sees: who called which tool of which server,
 * a hash of the arguments (never the arguments: they may hold anything), what was decided and how
 * the call ended. The processor filter runs before Envoy's tool rules, so calls they refuse are
 * recorded too (Envoy tells the processor who answered); on published API versions it runs before
 * the JSON-REST bridge, so calls the REST route refuses are too (src/mcp/rest-call-exchange.ts).
 * Callers an MCP API's own access rules turn away never get as far as the MCP filters: they are in
 * the access-log audit (`portcullis audit`).
 */
import { createHash } from "node:crypto";

export interface McpAuditRecord {
  /** ISO 8601, when the call arrived. */
  readonly time: string;
  readonly gateway: string;
  readonly requestId: string;
  readonly identity?: string;
  readonly subject?: string;
  readonly consumer?: string;
  /**
   * The MCP API and its server; for an API version published as tools, `api@version` and the id
   * of the REST route that took the call ("" when none did).
   */
  readonly api: string;
  readonly server: string;
  readonly tool: string;
  /** sha256 of the arguments as sent (hex), or absent without arguments. */
  readonly argumentsSha256?: string;
  /** `allowed` (by Envoy's tool rules, passed on to the server) or `refused` (by the tool rules, or by the processor's strict checks). */
  readonly decision: "allowed" | "refused";
  /** Why the call was refused. */
  readonly reason?: string;
  /** The HTTP status the client got; 0 when the stream ended before an answer. */
  readonly status: number;
  readonly durationMs: number;
}

export interface McpAuditSink {
  record(entry: McpAuditRecord): void;
}

/** Where an exchange records its calls, and its clock. */
export interface McpAuditDeps {
  readonly audit?: McpAuditSink;
  readonly now?: () => number;
}

/** What the audit record of a tools/call holds before the call ends. */
export type PendingToolCall = Omit<McpAuditRecord, "status" | "durationMs">;

/** The tools/call of one exchange: begun when its body is read, amended as the answer passes, recorded once when it ends or the stream does. */
export class ToolCallAudit {
  readonly #deps: McpAuditDeps;
  readonly #started: number;
  #call: PendingToolCall | undefined;

  constructor(deps: McpAuditDeps) {
    this.#deps = deps;
    this.#started = (deps.now ?? Date.now)();
  }

  begin(call: Omit<PendingToolCall, "time">): void {
    this.#call = { time: new Date(this.#started).toISOString(), ...call };
  }

  get pending(): boolean {
    return this.#call !== undefined;
  }

  amend(outcome: Partial<PendingToolCall>): void {
    if (this.#call) this.#call = { ...this.#call, ...outcome };
  }

  end(status: number, outcome: Partial<PendingToolCall> = {}): void {
    const call = this.#call;
    if (!call) return;
    this.#call = undefined;
    this.#deps.audit?.record({ ...call, ...outcome, status, durationMs: (this.#deps.now ?? Date.now)() - this.#started });
  }
}

/** The arguments' hash: equal arguments give equal hashes, so repeated calls can be told apart without storing what they said. */
export function argumentsHash(value: unknown): string | undefined {
  return value === undefined ? undefined : createHash("sha256").update(JSON.stringify(value)).digest("hex");
}
