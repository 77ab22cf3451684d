/** API version lifecycle transitions: published → deprecated, sunset moved, retired, added, removed. */
import type { ApiVersionIR, GatewayIR } from "../model/ir.ts";
import { type Change, change } from "./change.ts";
import type { ConfigPaths } from "./paths.ts";

const datesOf = (version: ApiVersionIR) => [
  ...(version.deprecatedOn ? [`deprecated on ${version.deprecatedOn}`] : []),
  ...(version.sunset ? [`sunset ${version.sunset}`] : []),
  ...(version.successor ? [`successor ${version.successor}`] : []),
];

const stateWords = (version: ApiVersionIR) => (datesOf(version).length ? ` (${datesOf(version).join(", ")})` : "");

function versionChanges(api: string, was: ApiVersionIR, now: ApiVersionIR, at: readonly (string | number)[]): Change[] {
  const name = `${api} ${now.name}`;
  if (was.state !== now.state) {
    const retired = now.state === "retired";
    const tail = retired ? " — its routes now answer 410 Gone" : now.state === "draft" ? " — no longer routed" : "";
    return [change("lifecycle", "review", retired ? "lifecycle.retired" : `lifecycle.${now.state}`, `${name}: ${was.state} → ${now.state}${stateWords(now)}${tail}`, [...at, "state"])];
  }
  const out: Change[] = [];
  if (was.sunset !== now.sunset) {
    const message = was.sunset && now.sunset ? `sunset moved from ${was.sunset} to ${now.sunset}` : now.sunset ? `sunset set to ${now.sunset}` : `sunset ${was.sunset} removed`;
    out.push(change("lifecycle", "review", "lifecycle.sunset", `${name}: ${message}`, [...at, "sunset"]));
  }
  if (was.deprecatedOn !== now.deprecatedOn) out.push(change("lifecycle", "review", "lifecycle.deprecation-date", `${name}: deprecation date ${was.deprecatedOn ?? "unset"} → ${now.deprecatedOn ?? "unset"}`, [...at, "deprecatedOn"]));
  if (was.successor !== now.successor) out.push(change("lifecycle", "review", "lifecycle.successor", `${name}: successor ${was.successor ?? "unset"} → ${now.successor ?? "unset"}`, [...at, "successor"]));
  return out;
}

export function lifecycleChanges(before: GatewayIR, after: GatewayIR, paths: ConfigPaths): Change[] {
  const out: Change[] = [];
  for (const api of after.apis) {
    const old = before.apis.find((other) => other.name === api.name);
    for (const version of api.versions) {
      const at = paths.version(api.name, version.name);
      const was = old?.versions.find((other) => other.name === version.name);
      if (was) out.push(...versionChanges(api.name, was, version, at));
      else out.push(change("lifecycle", "review", "lifecycle.added", `${api.name} ${version.name} added (${[version.state, ...datesOf(version)].join(", ")})`, at));
    }
    for (const version of old?.versions ?? []) {
      if (!api.versions.some((other) => other.name === version.name)) out.push(change("lifecycle", "review", "lifecycle.removed", `${api.name} ${version.name} removed (was ${version.state}) — its paths now answer 404`, paths.version(api.name)));
    }
  }
  for (const api of before.apis) if (!after.apis.some((other) => other.name === api.name)) out.push(change("lifecycle", "review", "lifecycle.api-removed", `API ${api.name} removed`, ["apis"]));
  return out;
}
