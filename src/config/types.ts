/**
 * The Portcullis gateway model, exactly as users write it in gateway.config.ts or gateway.yaml.
 *
 * This file (the root) and src/config/sections/ (one file per config section) are the single
 * source of truth: schema/gateway.schema.json is generated from them (`npm run gen:schema`), so
 * every doc comment is what editors show for both formats. Defaults are written as `@default`
 * tags; `resolve()` (src/model) applies them.
 */

import type { AccessSettings } from "./sections/access.ts";
import type { AiGateway, PromptApi } from "./sections/ai.ts";
import type { Api } from "./sections/apis.ts";
import type { GatewaySettings } from "./sections/gateway.ts";
import type { AuditSettings, PolicySettings, ZeroTrust } from "./sections/governance.ts";
import type { Identity } from "./sections/identities.ts";
import type { McpApi } from "./sections/mcp.ts";
import type { Provider } from "./sections/providers.ts";

export * from "./sections/common.ts";
export * from "./sections/gateway.ts";
export * from "./sections/identities.ts";
export * from "./sections/providers.ts";
export * from "./sections/apis.ts";
export * from "./sections/api-mcp.ts";
export * from "./sections/ai.ts";
export * from "./sections/mcp.ts";
export * from "./sections/governance.ts";
export * from "./sections/access.ts";

/** The whole gateway: what `defineGateway()` takes and gateway.yaml holds. */
export interface GatewayConfig {
  /** JSON Schema reference for editors; ignored by Portcullis. */
  $schema?: string;
  /** The gateway itself: its name, listeners and the proxies in front of it. */
  gateway: GatewaySettings;
  /** Who can call: JWT issuers, API-key consumers and mTLS clients, by name (lowercase letters, digits, dashes). */
  identities?: Record<string, Identity>;
  /** Everything a route can send traffic to — backend services, LLM providers, MCP servers — by name (lowercase letters, digits, dashes; it names the Envoy cluster). */
  providers?: Record<string, Provider>;
  /** The APIs this gateway publishes, each with its versions and routes. */
  apis?: Api[];
  /** The AI gateway: one OpenAI-style API in front of many model providers. */
  ai?: AiGateway;
  /** Prompts published as REST endpoints. */
  prompts?: PromptApi[];
  /** Model Context Protocol endpoints with tool-level authorization. */
  mcp?: McpApi[];
  /** Zero-trust requirements. Strict unless you opt out explicitly. */
  zeroTrust?: ZeroTrust;
  /** What is recorded about each request. */
  audit?: AuditSettings;
  /** Which policy rules run and which findings are waived. */
  policy?: PolicySettings;
  /** Access granted by reviewed change: each grant names who asked, who approved, why and until when. */
  access?: AccessSettings;
  /** Local development helpers, used by `portcullis up` only; compile and serve ignore them. */
  dev?: DevSettings;
}

export interface DevSettings {
  /**
   * Providers that `portcullis up` backs with a built-in demo server listening on their first
   * endpoint, so the example gateway answers without any other process: a service provider gets
   * an echo service; an `openai-compatible` provider (its `baseUrl` on the loopback interface) a
   * demo model in OpenAI's wire format (models `demo-chat` and `demo-mini`), so chat completions
   * and prompt APIs answer with no provider account.
   */
  demoBackends?: string[];
}
