/**
 * What the MCP processor knows of each gateway it serves, rebuilt from the IR on every successful
 * compile and looked up per ext_proc stream by the gateway name Envoy sends in its metadata.
 */
import type { GatewayIR, IdentityHeadersIR, McpApiIR, McpRestToolsRouteIR } from "../model/ir.ts";
import type { SecretValue } from "../model/secret-value.ts";
import { verifiedSubjectAttributes } from "../xds/mcp-rest-call-filter.ts";
import { McpSessions } from "./sessions.ts";

export interface McpGatewayRuntime {
  readonly name: string;
  readonly identityHeaders: IdentityHeadersIR;
  /** By endpoint path. */
  readonly apis: ReadonlyMap<string, McpApiIR>;
  /** API versions published as tools, by their endpoint path. */
  readonly restTools: ReadonlyMap<string, McpRestToolsRouteIR>;
  /** Where each JWT identity's verified subject is read from when a published tool's call is refused (response attributes). */
  readonly verifiedSubjects: readonly { readonly identity: string; readonly attribute: string }[];
  /** The same, by their tool-list path. */
  readonly toolLists: ReadonlyMap<string, McpRestToolsRouteIR>;
  /** The credential of each federated server, by its cluster (undefined: the server gets none). */
  readonly serverTokens: ReadonlyMap<string, SecretValue | undefined>;
  /** Who opened each session; kept across recompiles of the gateway. */
  readonly sessions: McpSessions;
}

export class McpGateways {
  readonly #byName = new Map<string, McpGatewayRuntime>();
  readonly #sessions = new Map<string, McpSessions>();

  /** Takes the MCP part of a freshly compiled gateway; one without an `mcp` section is dropped. */
  apply(ir: GatewayIR): void {
    if (!ir.mcp) {
      this.#byName.delete(ir.name);
      this.#sessions.delete(ir.name);
      return;
    }
    const sessions = this.#sessions.get(ir.name) ?? new McpSessions();
    this.#sessions.set(ir.name, sessions);
    const serverTokens = new Map(ir.mcp.apis.flatMap((api) => (api.federation ?? []).map((server) => [server.server, server.bearerToken] as const)));
    this.#byName.set(ir.name, {
      name: ir.name,
      identityHeaders: ir.identityHeaders,
      apis: new Map(ir.mcp.apis.map((api) => [api.path, api])),
      restTools: new Map(ir.mcp.restTools.map((endpoint) => [endpoint.path, endpoint])),
      verifiedSubjects: verifiedSubjectAttributes(ir.jwtProviders),
      toolLists: new Map(ir.mcp.restTools.map((endpoint) => [endpoint.toolsListPath, endpoint])),
      serverTokens,
      sessions,
    });
  }

  get(name: string): McpGatewayRuntime | undefined {
    return this.#byName.get(name);
  }
}
