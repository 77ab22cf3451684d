/**
 * A tools/list answer cut down to the tools the caller may use, as JSON or as server-sent events
 * (Streamable HTTP servers may answer either way). A filtered list differs per caller, so caching
 * hints in it (`cacheScope`, `ttlMs`) are made private: no shared cache may hand it to another
 * caller. An answer that cannot be read is replaced by a JSON-RPC error, never passed on whole.
 */

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

/** The message with `result.tools` filtered; other messages (errors, notifications) unchanged. */
function filterMessage(message: unknown, allowed: (tool: string) => boolean): unknown {
  if (!isObject(message) || !isObject(message["result"]) || !Array.isArray(message["result"]["tools"])) return message;
  const result = message["result"];
  const tools = (result["tools"] as unknown[]).filter((tool): tool is Record<string, unknown> => isObject(tool) && typeof tool["name"] === "string" && allowed(tool["name"])).map(restoreSchemas);
  const hinted = "cacheScope" in result || "ttlMs" in result;
  return { ...message, result: { ...result, tools, ...(hinted ? { cacheScope: "private" } : {}) } };
}

const unreadable = JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32603, message: "The gateway could not read the server's tools/list answer." } });

function filterJson(text: string, allowed: (tool: string) => boolean): string {
  try {
    return JSON.stringify(filterMessage(JSON.parse(text), allowed));
  } catch {
    return unreadable;
  }
}

/** Each event's data lines are one JSON-RPC message; other fields (id, event, retry) are kept. */
function filterEventStream(text: string, allowed: (tool: string) => boolean): string {
  return text
    .split(/\r\n\r\n|\n\n|\r\r/)
    .map((block) => {
      const lines = block.split(/\r\n|\n|\r/);
      const data = lines.filter((line) => line.startsWith("data:")).map((line) => line.slice(5).replace(/^ /, ""));
      if (data.length === 0) return block;
      const kept = lines.filter((line) => !line.startsWith("data:"));
      return [...kept, `data: ${filterJson(data.join("\n"), allowed)}`].join("\n");
    })
    .join("\n\n");
}

export function filterToolsList(body: string, contentType: string, allowed: (tool: string) => boolean): string {
  return contentType.toLowerCase().startsWith("text/event-stream") ? filterEventStream(body, allowed) : filterJson(body, allowed);
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
