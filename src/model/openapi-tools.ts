/**
 * The operations of an API's OpenAPI 3.x document, read for publishing the API as MCP tools: each
 * operation's name (`operationId`), what it does (summary, description) and the JSON Schema of
 * its arguments — path and query parameters by name, the JSON request body as one `body`
 * argument — with local `$ref`s inlined, since an MCP client gets each tool's schema on its own.
 * An operation that tool arguments cannot express (a required header or cookie parameter, a
 * request body that is not JSON) carries the reason instead of being dropped unseen.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve as resolvePath } from "node:path";
import { parse } from "yaml";
import type { ModelPath } from "../config/locate.ts";
import type { Reporter } from "./report.ts";
import type { SecretSource } from "./secrets.ts";

export type ToolMethod = "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
const TOOL_METHODS: readonly ToolMethod[] = ["GET", "PUT", "POST", "DELETE", "PATCH"];

export interface OpenApiToolOperation {
  readonly method: ToolMethod;
  /** As the document writes it, e.g. `/orders/{orderId}`. */
  readonly path: string;
  readonly operationId?: string;
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema: Record<string, unknown>;
  /** The argument that holds the JSON request body. */
  readonly bodyArgument?: string;
  /** Why the operation cannot be a tool. */
  readonly problem?: string;
}

export interface OpenApiTools {
  /** The path of the first server URL (`/v1` of `https://api.example.com/v1`), or "". */
  readonly serverPath: string;
  readonly operations: readonly OpenApiToolOperation[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

/** Deep enough for real schemas; a cycle or a deeper nesting ends in an open schema `{}`. */
const MAX_REF_DEPTH = 32;

/** `value` with every local `$ref` (`#/components/...`) replaced by what it points to. */
function inline(value: unknown, document: Json, depth = 0, seen: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => inline(item, document, depth + 1, seen));
  if (!isObject(value)) return value;
  const ref = value["$ref"];
  if (typeof ref === "string") {
    if (!ref.startsWith("#/") || seen.includes(ref) || depth > MAX_REF_DEPTH) return {};
    const target = ref
      .slice(2)
      .split("/")
      .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), document);
    return inline(target ?? {}, document, depth + 1, [...seen, ref]);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inline(item, document, depth + 1, seen)]));
}

const isJsonMediaType = (type: string) => /^application\/(.+\+)?json(;|$)/i.test(type.trim());

function describe(operation: Json): { title?: string; description?: string } {
  const summary = text(operation["summary"]);
  const description = text(operation["description"]) ?? summary;
  return { ...(summary ? { title: summary } : {}), ...(description ? { description } : {}) };
}

/** One operation's tool arguments; parameters of the operation override its path item's of the same name and place. */
function toolOperation(method: ToolMethod, path: string, item: Json, operation: Json): OpenApiToolOperation {
  const parameters = new Map<string, Json>();
  for (const list of [item["parameters"], operation["parameters"]]) {
    for (const parameter of Array.isArray(list) ? list : []) {
      if (isObject(parameter) && typeof parameter["name"] === "string") parameters.set(`${String(parameter["in"])}:${parameter["name"]}`, parameter);
    }
  }
  const properties: Json = {};
  const required: string[] = [];
  let problem: string | undefined;
  for (const parameter of parameters.values()) {
    const name = parameter["name"] as string;
    const place = parameter["in"];
    if (place !== "path" && place !== "query") {
      // Tool arguments never become headers: a header argument could pose as a credential or an identity header.
      if (parameter["required"] === true) problem ??= `it needs the ${String(place)} parameter ${name}, which tool arguments cannot set`;
      continue;
    }
    const description = text(parameter["description"]);
    properties[name] = { ...(isObject(parameter["schema"]) ? parameter["schema"] : { type: "string" }), ...(description ? { description } : {}) };
    if (place === "path" || parameter["required"] === true) required.push(name);
  }
  let bodyArgument: string | undefined;
  const requestBody = operation["requestBody"];
  if (isObject(requestBody) && isObject(requestBody["content"])) {
    const json = Object.entries(requestBody["content"]).find(([type]) => isJsonMediaType(type));
    if (!json) problem ??= `its request body is not JSON (${Object.keys(requestBody["content"]).join(", ")}), and the gateway sends tool arguments as JSON`;
    else {
      bodyArgument = "body" in properties ? "requestBody" : "body";
      const description = text(requestBody["description"]);
      properties[bodyArgument] = { ...(isObject(json[1]) && isObject(json[1]["schema"]) ? json[1]["schema"] : {}), ...(description ? { description } : {}) };
      if (requestBody["required"] === true) required.push(bodyArgument);
    }
  }
  const operationId = text(operation["operationId"]);
  return {
    method,
    path,
    ...(operationId ? { operationId } : {}),
    ...describe(operation),
    inputSchema: { type: "object", properties, ...(required.length > 0 ? { required: [...new Set(required)].sort() } : {}) },
    ...(bodyArgument ? { bodyArgument } : {}),
    ...(problem ? { problem } : {}),
  };
}

function serverPath(document: Json): string {
  const first = Array.isArray(document["servers"]) ? document["servers"][0] : undefined;
  const url = isObject(first) ? text(first["url"]) : undefined;
  if (!url) return "";
  try {
    return new URL(url, "http://relative.invalid").pathname.replace(/\/+$/, "");
  } catch {
    return "";
  }
}

/** Reads the document (relative to the config file) for the API at `apis[apiIndex]`; reports and returns undefined when it cannot be used. */
export function readOpenApiTools(file: string, source: SecretSource, report: Reporter, where: ModelPath): OpenApiTools | undefined {
  const path = isAbsolute(file) ? file : resolvePath(source.baseDir, file);
  source.files?.add(path);
  const fail = (why: string) => {
    report.error("PCL4186", `OpenAPI document ${file} ${why}, so the API's tools cannot be described from it.`, where, "Fix the document or its path (relative to the config file); without `openapi`, tools are made from the routes alone.");
    return undefined;
  };
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(path, "utf8"), { maxAliasCount: 100 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code ? `cannot be read (${code})` : `is not valid YAML or JSON (${(error as Error).message.split("\n")[0]})`);
  }
  if (!isObject(parsed) || !/^3\./.test(String(parsed["openapi"] ?? ""))) return fail("is not an OpenAPI 3.x document");
  const document = parsed;
  const paths = isObject(document["paths"]) ? document["paths"] : {};
  const operations: OpenApiToolOperation[] = [];
  for (const docPath of Object.keys(paths).sort()) {
    const item = inline(paths[docPath], document);
    if (!isObject(item)) continue;
    for (const method of TOOL_METHODS) {
      const operation = item[method.toLowerCase()];
      if (isObject(operation)) operations.push(toolOperation(method, docPath, item, operation));
    }
  }
  return { serverPath: serverPath(document), operations };
}
