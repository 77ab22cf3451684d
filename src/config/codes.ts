import type { Severity } from "./diagnostics.ts";

/**
 * Every diagnostic code the config stage emits, in one table: the CLI's docs, the tests and
 * CI annotations read it. Codes are never reused for another meaning.
 *
 * PCL1xxx: the file could not be found, parsed, type-checked or evaluated.
 * PCL2xxx: the model does not match schema/gateway.schema.json.
 * PCL3xxx: the model is well-formed but inconsistent (references, names, dates, security).
 */
export const CODES = {
  PCL1001: { severity: "error", title: "Config file not found" },
  PCL1002: { severity: "error", title: "Unsupported config file type" },
  PCL1003: { severity: "error", title: "Config file cannot be read" },
  PCL1010: { severity: "error", title: "Syntax error" },
  PCL1011: { severity: "error", title: "Duplicate key" },
  PCL1012: { severity: "error", title: "The config is not an object" },
  PCL1020: { severity: "error", title: "TypeScript type error" },
  PCL1021: { severity: "error", title: "The config module failed while evaluating" },
  PCL1022: { severity: "error", title: "The config module has no default export" },
  PCL1023: { severity: "error", title: "The config holds a value that is not plain data" },
  // PCL1024–PCL1028: config code is evaluated in a process of its own; these say how it went wrong.
  PCL1024: { severity: "error", title: "The config nests values too deeply" },
  PCL1025: { severity: "error", title: "The config did not finish evaluating within the time limit" },
  PCL1026: { severity: "error", title: "The config called process.exit" },
  PCL1027: { severity: "error", title: "The config ran out of memory while evaluating" },
  PCL1028: { severity: "error", title: "The config stopped without exporting (a top-level await that never settles)" },
  PCL2001: { severity: "error", title: "Unknown property" },
  PCL2002: { severity: "error", title: "Missing required property" },
  PCL2003: { severity: "error", title: "Wrong value type" },
  PCL2004: { severity: "error", title: "Value not allowed" },
  PCL2005: { severity: "error", title: "Value does not match the expected format" },
  PCL2006: { severity: "error", title: "Number out of range" },
  PCL2007: { severity: "error", title: "Too few items or too short" },
  PCL2009: { severity: "error", title: "Schema violation" },
  PCL3001: { severity: "error", title: "Reference to a missing provider" },
  PCL3002: { severity: "error", title: "Provider of the wrong kind" },
  PCL3003: { severity: "error", title: "Reference to a missing identity" },
  PCL3004: { severity: "error", title: "Reference to a missing API version" },
  PCL3005: { severity: "error", title: "Reference to a missing model alias" },
  PCL3006: { severity: "error", title: "Reference to a missing consumer or client" },
  PCL3007: { severity: "error", title: "Duplicate name" },
  PCL3008: { severity: "error", title: "Two routes take the same requests" },
  PCL3009: { severity: "error", title: "A route match needs exactly one of path, prefix or template" },
  PCL3010: { severity: "error", title: "Secret written inline" },
  PCL3011: { severity: "error", title: "Port used twice" },
  PCL3012: { severity: "error", title: "Invalid calendar date" },
  PCL3013: { severity: "error", title: "Published version past its sunset" },
  PCL3014: { severity: "error", title: "Retired version without successor or sunset" },
  PCL3015: { severity: "warning", title: "Deprecated version without a sunset date" },
  PCL3016: { severity: "error", title: "Contradictory lifecycle dates" },
  PCL3017: { severity: "error", title: "Upstream without TLS or a plaintext justification" },
  PCL3018: { severity: "error", title: "Demo backend is not a service provider" },
  PCL3019: { severity: "error", title: "Allow rule condition does not fit the identity type" },
  PCL3020: { severity: "error", title: "LLM provider setting missing" },
  PCL3021: { severity: "error", title: "Path or endpoint is malformed" },
  // PCL3022–PCL3029: values Envoy would reject (NACK) or take literally; caught before compile.
  PCL3022: { severity: "error", title: "Host name is not a valid Envoy domain (bad label, '*' not a whole first label)" },
  PCL3023: { severity: "error", title: "Listener lists a host name twice (host names are case-insensitive)" },
  PCL3024: { severity: "error", title: "Client CIDR is not an IP address range" },
  PCL3025: { severity: "error", title: "URL is malformed (JWKS url, LLM baseUrl, MCP url)" },
  PCL3026: { severity: "error", title: "Header name is not an HTTP token" },
  PCL3027: { severity: "error", title: "Path or path template Envoy cannot match as written" },
  PCL3028: { severity: "error", title: "Two APIs serve the same base path and version" },
  PCL3029: { severity: "error", title: "dns: logical with more than one endpoint" },
  PCL3030: { severity: "error", title: "Provider or identity name that cannot name an Envoy resource or file" },
  PCL3031: { severity: "error", title: "Listener address is not an IP address (Envoy never resolves a listener's name)" },
  PCL3032: { severity: "error", title: "Text holds a control character (NUL, line break, ...) that Envoy rejects or never matches" },
  PCL3033: { severity: "error", title: "Upstream Host or SNI (rewrite.host, tls.sni) is not a host name" },
  PCL3034: { severity: "error", title: "Retry condition Envoy does not know" },
  PCL3035: { severity: "error", title: "Retry status codes without 'retriable-status-codes' (never retried)" },
  PCL3036: { severity: "error", title: "CORS origin is not scheme://host[:port]" },
  PCL3037: { severity: "error", title: "Claim name with an empty part ('.', 'a..b'): not a path into the token" },
  // PCL3038–PCL3049: routing papercuts and one finding per mistake.
  PCL3038: { severity: "error", title: "Unversioned route overlaps a versioned path (a version's prefix, or a route selected by header)" },
  PCL3039: { severity: "error", title: "Properties that exclude each other are set together (access: 'public' and 'allow')" },
  PCL3040: { severity: "error", title: "audit.redactHeaders names a header no log copies, so redacting it changes nothing" },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type Code = keyof typeof CODES;
