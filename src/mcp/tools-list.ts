/**
 * A tools/list answer cut down to the tools the caller may use (a prompts/list, resources/list or
 * resources/templates/list the same), as JSON or as server-sent events (Streamable HTTP servers
 * may answer either way). A filtered list differs per caller, so caching hints in it
 * (`cacheScope`, `ttlMs`) are made private: no shared cache may hand it to another caller. An
 * answer that cannot be read is replaced by a JSON-RPC error, never passed on whole.
 */
import { MCP_RULED } from "../model/mcp-ruled.ts";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Envoy's mcp_router (federated endpoints) writes each empty object of a server's tool schemas as
 * null: `"properties": {}` comes out `"properties": null`, which clients reject. A schema is never
 * null, nor is `properties` (nor each schema in it): such a null is put back as `{}`, at any depth.
 */
function restoreProperties(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(restoreProperties);
  if (!isObject(schema)) return schema;
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, key === "properties" ? restoreEach(value) : restoreProperties(value)]));
}

/** A `properties` map: it and each property's schema are objects. */
function restoreEach(properties: unknown): unknown {
  if (properties === null) return {};
  if (!isObject(properties)) return properties;
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, schema === null ? {} : restoreProperties(schema)]));
}

function restoreSchemas(tool: Record<string, unknown>): Record<string, unknown> {
  const schemas = ["inputSchema", "outputSchema"].filter((key) => isObject(tool[key]));
  return schemas.length === 0 ? tool : { ...tool, ...Object.fromEntries(schemas.map((key) => [key, restoreProperties(tool[key])])) };
}

/** Which list an answer holds: `result[field]`, each entry named by `entry[key]`. */
export interface ListShape {
  readonly field: string;
  readonly key: string;
}

export const TOOLS_LIST: ListShape = MCP_RULED.tools.lists[0]!;

/** The message with its list filtered; other messages (errors, notifications) unchanged. */
function filterMessage(message: unknown, shape: ListShape, allowed: (name: string) => boolean): unknown {
  if (!isObject(message) || !isObject(message["result"]) || !Array.isArray(message["result"][shape.field])) return message;
  const result = message["result"];
  const kept = (result[shape.field] as unknown[]).filter((entry): entry is Record<string, unknown> => isObject(entry) && typeof entry[shape.key] === "string" && allowed(entry[shape.key] as string));
  const hinted = "cacheScope" in result || "ttlMs" in result;
  return { ...message, result: { ...result, [shape.field]: shape.field === TOOLS_LIST.field ? kept.map(restoreSchemas) : kept, ...(hinted ? { cacheScope: "private" } : {}) } };
}

const unreadable = JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32603, message: "The gateway could not read the server's list answer." } });

function filterJson(text: string, shape: ListShape, allowed: (name: string) => boolean): string {
  try {
    return JSON.stringify(filterMessage(JSON.parse(text), shape, allowed));
  } catch {
    return unreadable;
  }
}

/** Each event's data lines are one JSON-RPC message; other fields (id, event, retry) are kept. */
function filterEventStream(text: string, shape: ListShape, allowed: (name: string) => boolean): string {
  return text
    .split(/\r\n\r\n|\n\n|\r\r/)
    .map((block) => {
      const lines = block.split(/\r\n|\n|\r/);
      const data = lines.filter((line) => line.startsWith("data:")).map((line) => line.slice(5).replace(/^ /, ""));
      if (data.length === 0) return block;
      const kept = lines.filter((line) => !line.startsWith("data:"));
      return [...kept, `data: ${filterJson(data.join("\n"), shape, allowed)}`].join("\n");
    })
    .join("\n\n");
}

export function filterListAnswer(body: string, contentType: string, shape: ListShape, allowed: (name: string) => boolean): string {
  return contentType.toLowerCase().startsWith("text/event-stream") ? filterEventStream(body, shape, allowed) : filterJson(body, shape, allowed);
}

/** `{"tools": [...]}` — the tool-list route's answer — with the tools the caller may not use left out; unreadable: no tools. */
export function filterToolArray(body: string, allowed: (tool: string) => boolean): string {
  try {
    const list: unknown = JSON.parse(body);
    const tools = isObject(list) && Array.isArray(list["tools"]) ? (list["tools"] as unknown[]) : [];
    return JSON.stringify({ tools: tools.filter((tool) => isObject(tool) && typeof tool["name"] === "string" && allowed(tool["name"])) });
  } catch {
    return JSON.stringify({ tools: [] });
  }
}
