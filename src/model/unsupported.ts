/**
 * Config sections the schema accepts for features that are not built yet. Accepting them
 * silently would let users believe they are protected (an MCP tool rule that nothing enforces),
 * so each is a located error until its feature lands.
 */
import type { GatewayConfig } from "../config/types.ts";
import type { Reporter } from "./report.ts";

export function reportUnsupported(config: GatewayConfig, report: Reporter): void {
  for (const [index, api] of (config.mcp ?? []).entries()) {
    report.error(
      "PCL4060",
      `MCP API "${api.name}": MCP traffic is not supported yet, so its access and tool rules would not be enforced.`,
      ["mcp", index],
      "Remove the mcp entry until MCP support lands; do not expose the server through the gateway meanwhile.",
    );
  }
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    if (provider.type !== "mcp") continue;
    report.error(
      "PCL4060",
      `Provider "${name}" is an MCP server, which the gateway cannot route yet.`,
      ["providers", name, "type"],
      "Remove the provider until MCP support lands.",
    );
  }
}
