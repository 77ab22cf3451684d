import type { Api, ApiVersion } from "../config/types.ts";
import type { LifecycleIR } from "./ir.ts";
import type { Reporter } from "./report.ts";
import { httpDate, isoDateMs } from "./units.ts";

function dateMs(text: string | undefined, report: Reporter, path: (string | number)[]): number | undefined {
  if (text === undefined) return undefined;
  const ms = isoDateMs(text);
  if (ms === undefined) report.error("PCL4005", `"${text}" is not a calendar date.`, path, "Write it as YYYY-MM-DD, e.g. 2026-06-30.");
  return ms;
}

/** Where clients find a version: its path prefix, or the base path when versioning is by header. */
export function versionLink(api: Api, version: string): string {
  const base = api.basePath === "/" ? "" : api.basePath.replace(/\/+$/, "");
  if (api.versioning?.by === "header") return base || "/";
  return `/${version}${base}`;
}

/** The runtime lifecycle of a routed version (drafts are never resolved into routes). */
export function resolveLifecycle(api: Api, apiIndex: number, name: string, version: ApiVersion, report: Reporter): LifecycleIR {
  const path = ["apis", apiIndex, "versions", name];
  const state = version.state === "draft" ? "published" : version.state;
  const sunsetMs = dateMs(version.sunset, report, [...path, "sunset"]);
  // RFC 9745: the date the version is (or will be) deprecated, never the sunset. Without one there
  // is no header, and the governance pack says so (PCL-GOV-007).
  const deprecatedMs = dateMs(version.deprecatedOn, report, [...path, "deprecatedOn"]);
  const successor = version.successor ? { version: version.successor, link: versionLink(api, version.successor) } : undefined;
  return {
    state,
    ...(state !== "published" && deprecatedMs !== undefined ? { deprecatedAt: Math.floor(deprecatedMs / 1000) } : {}),
    ...(state !== "published" && sunsetMs !== undefined ? { sunset: httpDate(sunsetMs) } : {}),
    ...(state !== "published" && successor ? { successor } : {}),
  };
}

/** RFC 9457 problem details for a retired version, naming its successor. */
export function goneProblem(api: Api, versionName: string, lifecycle: LifecycleIR): string {
  const successor = lifecycle.successor;
  const detail =
    `Version ${versionName} of the ${api.name} API is retired` +
    (lifecycle.sunset ? ` since ${lifecycle.sunset}` : "") +
    (successor ? `; use version ${successor.version} at ${successor.link}.` : ".");
  return JSON.stringify({
    type: "https://portcullis.dev/problems/version-retired",
    title: "API version retired",
    status: 410,
    detail,
    ...(successor ? { successor: successor.link } : {}),
  });
}
