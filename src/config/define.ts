import type { EnvSecretRef, FileSecretRef, GatewayConfig } from "./types.ts";

/**
 * Declares a gateway. It returns its argument unchanged: its job is to give editors the types,
 * documentation and completion of every option.
 *
 * @example
 * export default defineGateway({
 *   gateway: { name: "shop", listeners: [{ name: "public", port: 8080, hostnames: ["api.example.com"] }] },
 *   apis: [],
 * });
 */
export function defineGateway(config: GatewayConfig): GatewayConfig {
  return config;
}

/** A secret read from an environment variable when the gateway is deployed. */
export function env(name: string): EnvSecretRef {
  return { env: name };
}

/** A secret read from a file (relative to the config file) when the gateway is deployed. */
export function file(path: string): FileSecretRef {
  return { file: path };
}
