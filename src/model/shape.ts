import { isFrozenConfig } from "../config/frozen-config.ts";
import type { GatewayConfig } from "../config/types.ts";
import type { Reporter } from "./report.ts";

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);
const isArrayOf = (value: unknown, item: (v: unknown) => boolean): boolean => Array.isArray(value) && value.every(item);

// Frozen APIs found resolvable: a frozen API cannot change, so a reload checks only the edited ones.
const resolvableApis = new WeakSet<object>();

function resolvableApi(api: unknown): boolean {
  if (isFrozenConfig(api) && resolvableApis.has(api)) return true;
  const versions = isObject(api) ? api["versions"] : undefined;
  const ok = isObject(api) && typeof api["name"] === "string" && typeof api["basePath"] === "string" && isObject(versions) &&
    Object.values(versions).every((v) => isObject(v) && typeof v["state"] === "string" && isArrayOf(v["routes"], (r) => isObject(r) && isObject(r["match"]) && typeof r["provider"] === "string"));
  if (ok && isFrozenConfig(api)) resolvableApis.add(api);
  return ok;
}

/**
 * The structure resolve relies on, checked before it runs. Configs from loadConfig have been
 * validated against the schema already; this keeps a config built in code (or a schema gap) from
 * turning into a crash: it becomes a located diagnostic instead.
 */
export function checkResolvable(config: unknown, report: Reporter): config is GatewayConfig {
  const before = report.diagnostics.length;
  const fail = (path: (string | number)[], what: string) =>
    report.error("PCL4006", `The config cannot be compiled: ${what}.`, path, "Run `portcullis compile --check` to see every schema finding.");
  if (!isObject(config) || !isObject(config["gateway"])) {
    fail(["gateway"], "`gateway` must be an object");
    return false;
  }
  const gateway = config["gateway"];
  if (typeof gateway["name"] !== "string") fail(["gateway", "name"], "`gateway.name` must be a string");
  if (!isArrayOf(gateway["listeners"], (l) => isObject(l) && typeof l["name"] === "string" && typeof l["port"] === "number" && isArrayOf(l["hostnames"], (h) => typeof h === "string"))) {
    fail(["gateway", "listeners"], "every listener needs a name, a port and hostnames");
  }
  if (config["providers"] !== undefined && !isObject(config["providers"])) fail(["providers"], "`providers` must be an object");
  const apis = config["apis"] ?? [];
  if (!Array.isArray(apis)) fail(["apis"], "`apis` must be a list");
  else {
    apis.forEach((api: unknown, index) => {
      if (!resolvableApi(api)) fail(["apis", index], "every API needs a name, a basePath and versions whose routes each have a match and a provider");
    });
  }
  return report.diagnostics.length === before;
}
