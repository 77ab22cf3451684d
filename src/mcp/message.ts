/**
 * Reads an MCP request body the strict way, after Envoy's mcp filter has already read it for the
 * tool rules. What a server could read differently from Envoy is refused: invalid UTF-8, duplicate
 * keys (strict-json.ts), batches, and envelope or params keys that differ from a protocol key only
 * in case or compatibility form (`Name` beside `name`, `paramſ`): Envoy reads `name`, but a
 * case-insensitive decoder (Go's encoding/json, GHSA-4gph-2hhr-5mwg) may take the other one.
 * Mcp-Method / Mcp-Name headers, when sent, must each equal what the body says.
 */
import { parseStrictJson, StrictJsonError } from "./strict-json.ts";

export interface McpRequest {
  readonly method?: string;
  /** `params.name` of tools/call and prompts/get, `params.uri` of resources/read. */
  readonly name?: string;
  /** `params.arguments`, as sent. */
  readonly arguments?: unknown;
}

export type Refusal = { readonly refused: string };

const ENVELOPE_KEYS = ["jsonrpc", "id", "method", "params", "result", "error"];
const PARAMS_KEYS = ["name", "arguments", "uri", "cursor", "_meta"];

/** How decoders that match keys loosely see a key: case-folded, compatibility forms (ſ, K) normalized. */
const fold = (key: string) => key.normalize("NFKC").toLowerCase();

function looseKeyClash(object: Record<string, unknown>, known: readonly string[]): string | undefined {
  const seen = new Map<string, string>();
  for (const key of Object.keys(object)) {
    const folded = fold(key);
    const other = seen.get(folded);
    if (other !== undefined) return `keys ${JSON.stringify(other)} and ${JSON.stringify(key)} differ only in case`;
    seen.set(folded, key);
    const protocolKey = known.find((name) => name === folded);
    if (protocolKey && protocolKey !== key) return `key ${JSON.stringify(key)} is not ${JSON.stringify(protocolKey)} but may be read as it`;
  }
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The request, or why it is refused. */
export function readMcpRequest(body: Uint8Array, headers: ReadonlyMap<string, readonly string[]>): McpRequest | Refusal {
  let message: unknown;
  try {
    message = parseStrictJson(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (error) {
    return { refused: error instanceof StrictJsonError ? `the body is not strict JSON: ${error.message}` : "the body is not UTF-8" };
  }
  if (Array.isArray(message)) return { refused: "JSON-RPC batches are not accepted" };
  if (!isObject(message)) return { refused: "the body is not a JSON-RPC message object" };
  const clash = looseKeyClash(message, ENVELOPE_KEYS) ?? (isObject(message["params"]) ? looseKeyClash(message["params"], PARAMS_KEYS) : undefined);
  if (clash) return { refused: clash };
  const method = message["method"];
  if (method !== undefined && typeof method !== "string") return { refused: "method is not a string" };
  const params = isObject(message["params"]) ? message["params"] : {};
  const named = params["name"] ?? params["uri"];
  const name = typeof named === "string" ? named : undefined;
  for (const [header, expected] of [
    ["mcp-method", method],
    ["mcp-name", name],
  ] as const) {
    const values = headers.get(header) ?? [];
    if (values.some((value) => value !== expected)) return { refused: `the ${header} header does not match the body` };
  }
  return { ...(method !== undefined ? { method } : {}), ...(name !== undefined ? { name } : {}), ...(params["arguments"] !== undefined ? { arguments: params["arguments"] } : {}) };
}
