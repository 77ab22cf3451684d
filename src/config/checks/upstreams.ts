import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { LlmProvider } from "../types.ts";
import type { Check } from "./context.ts";

/** Providers must be reachable as written and, in strict zero trust, over TLS. */
export const checkUpstreams: Check = (config, context) => {
  const out: Diagnostic[] = [];
  const requireTls = config.zeroTrust?.requireUpstreamTls ?? true;
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    const path = ["providers", name];
    if (provider.type === "service") {
      for (const [index, endpoint] of provider.endpoints.entries()) {
        if (!validEndpoint(endpoint)) {
          out.push(finding(context.place, "PCL3021", `endpoint '${endpoint}' of service '${name}' is not host:port`, [...path, "endpoints", index], {
            hint: 'write it as "orders.internal:8443" or "10.0.0.5:8080" (IPv6: "[::1]:8080")',
          }));
        }
      }
      if (requireTls && !provider.tls && !provider.plaintext) {
        out.push(finding(context.place, "PCL3017", `service '${name}' has no upstream TLS and no plaintext justification`, path, {
          severity: context.strict ? "error" : "warning",
          at: "key",
          hint: 'add tls: { ... }, or plaintext: { reason: "why unencrypted traffic is acceptable here" }',
        }));
      }
    } else if (provider.type !== "mcp") {
      out.push(...llmSettings(name, provider).map(([field, why]) =>
        finding(context.place, "PCL3020", `${provider.type} provider '${name}' needs '${field}'`, path, { at: "key", hint: why })));
    }
  }
  return out;
};

function llmSettings(name: string, provider: LlmProvider): [string, string][] {
  const missing: [string, string][] = [];
  if ((provider.type === "openai-compatible" || provider.type === "azure-openai") && !provider.baseUrl) {
    missing.push(["baseUrl", `add the base URL of '${name}', e.g. "https://llm.internal/v1"`]);
  }
  if (provider.type === "bedrock") {
    if (!provider.region) missing.push(["region", 'add the AWS region, e.g. "us-east-1"']);
    if (!provider.awsCredentials) missing.push(["awsCredentials", "add awsCredentials: { accessKeyId: env(...), secretAccessKey: env(...) }"]);
  } else if (!provider.apiKey && !provider.apiKeys && provider.type !== "openai-compatible") {
    missing.push(["apiKey", 'add apiKey: { env: "NAME" } (or a pool: apiKeys: [{ env: "A" }, { env: "B" }]); the gateway injects it so clients never see it']);
  }
  return missing;
}

function validEndpoint(endpoint: string): boolean {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(endpoint);
  const port = Number(match?.[2]);
  return match !== null && port >= 1 && port <= 65535;
}

/** Envoy's LOGICAL_DNS clusters take exactly one endpoint: it connects to the first address that name resolves to. */
export const checkLogicalDns: Check = (config, context) =>
  Object.entries(config.providers ?? {}).flatMap(([name, provider]) =>
    provider.type === "service" && provider.dns === "logical" && provider.endpoints.length > 1
      ? [finding(context.place, "PCL3029", `service '${name}' uses dns: logical with ${provider.endpoints.length} endpoints; logical DNS takes exactly one`, ["providers", name, "dns"], {
          hint: `keep one DNS name in endpoints (DNS spreads the load), or use dns: strict for several endpoints`,
        })]
      : []);
