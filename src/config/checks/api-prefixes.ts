import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { Api } from "../types.ts";
import type { Check } from "./context.ts";
import { versions } from "./walk.ts";

/** Where a version's requests arrive: its path prefix and, with header versioning, the header that selects it. */
function entrance(api: Api, versionName: string): string {
  const base = api.basePath.replace(/\/+$/, "").toLowerCase();
  if (api.versioning?.by === "header") return `${base || "/"} with header ${(api.versioning.header ?? "api-version").toLowerCase()}: ${versionName}`;
  return `/${versionName.toLowerCase()}${base}`;
}

function sharesHosts(a: Api, b: Api): boolean {
  return !a.hostnames || !b.hostnames || a.hostnames.some((host) => b.hostnames?.some((other) => other.toLowerCase() === host.toLowerCase()));
}

/** Two APIs cannot serve the same version prefix on the same hosts: one would take the other's requests. */
export const checkApiPrefixes: Check = (config, context) => {
  const out: Diagnostic[] = [];
  const seen = new Map<string, Api[]>();
  for (const { api, versionName, path } of versions(config)) {
    const key = entrance(api, versionName);
    const earlier = (seen.get(key) ?? []).find((other) => other !== api && sharesHosts(other, api));
    if (earlier) {
      out.push(finding(context.place, "PCL3028", `API '${api.name}' ${versionName} is served at ${key}, where API '${earlier.name}' ${versionName} is already served`, path, {
        at: "key",
        hint: `give '${api.name}' another basePath (e.g. '${api.basePath.replace(/\/+$/, "")}-${api.name}'), or serve the two on different hostnames`,
      }));
    }
    seen.set(key, [...(seen.get(key) ?? []), api]);
  }
  return out;
};
