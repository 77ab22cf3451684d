/**
 * The OpenAPI documents the APIs declare (`apis[].openapi`), read for the catalog and summarized
 * to what it renders: title, version and the operations. A declared document that is missing or
 * is not OpenAPI is a located error: a catalog that silently drops an API's reference would
 * mislead the teams that read it.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { parse } from "yaml";
import type { Locate } from "../config/locate.ts";
import type { Diagnostic } from "../config/diagnostics.ts";
import type { ApiIR } from "../model/ir.ts";
import { Reporter } from "../model/report.ts";

export interface OpenApiOperation {
  readonly method: string;
  readonly path: string;
  readonly summary?: string;
  readonly operationId?: string;
  readonly deprecated?: boolean;
}

export interface OpenApiSummary {
  /** The file as the config names it. */
  readonly file: string;
  readonly title?: string;
  readonly version?: string;
  /** `3.1.0`, `2.0`, ... */
  readonly specVersion: string;
  readonly operations: readonly OpenApiOperation[];
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

const text = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function operations(paths: Record<string, unknown>): OpenApiOperation[] {
  const out: OpenApiOperation[] = [];
  for (const path of Object.keys(paths).sort()) {
    const item = paths[path];
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const summary = text(operation["summary"]);
      const operationId = text(operation["operationId"]);
      out.push({ method: method.toUpperCase(), path, ...(summary ? { summary } : {}), ...(operationId ? { operationId } : {}), ...(operation["deprecated"] === true ? { deprecated: true } : {}) });
    }
  }
  return out;
}

/** Why a parsed document is not OpenAPI, or its summary. */
function summarize(file: string, document: unknown): OpenApiSummary | string {
  if (!isObject(document)) return "it is not a YAML or JSON object";
  const specVersion = text(document["openapi"]) ?? (document["swagger"] === "2.0" ? "2.0" : undefined);
  if (!specVersion) return 'it has neither an "openapi" version (3.x) nor "swagger": "2.0"';
  const paths = document["paths"] ?? {};
  if (!isObject(paths)) return '"paths" is not an object';
  const info = isObject(document["info"]) ? document["info"] : {};
  const title = text(info["title"]);
  const version = text(info["version"]);
  return { file, specVersion, ...(title ? { title } : {}), ...(version ? { version } : {}), operations: operations(paths) };
}

/** Reads every declared document relative to the config file's directory; problems come back as located findings. */
export function readOpenApiDocuments(apis: readonly ApiIR[], configFile: string, locate?: Locate): { documents: Map<string, OpenApiSummary>; diagnostics: Diagnostic[] } {
  const report = new Reporter(configFile, locate);
  const documents = new Map<string, OpenApiSummary>();
  const baseDir = resolve(configFile, "..");
  for (const api of apis) {
    if (api.openapi === undefined) continue;
    const where = ["apis", api.index, "openapi"];
    const path = isAbsolute(api.openapi) ? api.openapi : resolve(baseDir, api.openapi);
    let source: string;
    try {
      source = readFileSync(path, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
      report.error("PCL4110", `OpenAPI document ${api.openapi} of API "${api.name}" cannot be read (${reason}).`, where, "Check the path; it is relative to the config file. Remove `openapi` if the API has no document.");
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parse(source, { maxAliasCount: 100 });
    } catch (error) {
      report.error("PCL4111", `OpenAPI document ${api.openapi} of API "${api.name}" is not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`, where, "Fix the document, or point `openapi` at the right file.");
      continue;
    }
    const summary = summarize(api.openapi, parsed);
    if (typeof summary === "string") {
      report.error("PCL4111", `OpenAPI document ${api.openapi} of API "${api.name}" is not an OpenAPI document: ${summary}.`, where, "Point `openapi` at an OpenAPI 3.x (or Swagger 2.0) document.");
      continue;
    }
    documents.set(api.name, summary);
  }
  return { documents, diagnostics: report.diagnostics };
}
