/**
 * Diagnostic codes of the compile stage (resolve and translate). PCL4xxx, never reused for
 * another meaning; the config stage owns PCL1xxx–PCL3xxx (src/config/codes.ts).
 */
export const COMPILE_CODES = {
  PCL4001: "A secret cannot be read",
  PCL4002: "Reference that resolve cannot follow",
  PCL4003: "Provider kind not routable from an API route",
  PCL4004: "Endpoint is not host:port",
  PCL4005: "Duration or date cannot be read",
  PCL4006: "Config does not have the structure the compiler needs",
  PCL4007: "JWKS URL is not https",
  PCL4012: "Deprecated version without a date: no Deprecation header (no longer emitted: policy rule PCL-GOV-007 reports it)",
  // PCL4030–PCL4039: identities and access rules.
  PCL4030: "API key list is unusable (no key, a key shared by two consumers, a character a header cannot carry)",
  PCL4031: "API-key consumer name used by two identities",
  PCL4032: "Route accepts the keys of two API-key identities (not supported yet)",
  PCL4033: "API key is short enough to guess",
  PCL4034: "Rule requires roles or groups the identity does not map (no caller could match)",
  PCL4035: "Allow rule without an identity that is not an address rule (clientCidrs alone)",
  PCL4036: "JWT claim name with ':' cannot be forwarded in an identity header",
  // PCL4040–PCL4059: the AI gateway (ai, prompts, LLM providers).
  PCL4040: "AI budgets are not supported yet (no longer emitted: budgets are enforced)",
  PCL4041: "Model fallbacks are not supported yet (no longer emitted: fallbacks are served)",
  PCL4042: "Several targets or weights for one model alias are not supported yet (no longer emitted: weighted targets are served)",
  PCL4043: "LLM provider type not supported yet (no longer emitted: every provider type has an adapter)",
  PCL4044: "Prompt APIs are not supported yet (no longer emitted: prompt APIs are served)",
  PCL4045: "LLM provider over plaintext HTTP without a justification",
  PCL4046: "AI processor address is not a loopback host:port",
  PCL4047: "Model alias names a model its provider does not allow",
  PCL4048: "LLM provider baseUrl cannot be used (credentials, query or fragment in it)",
  PCL4049: "LLM provider setting that has no effect for its type",
  PCL4050: "AI API path is taken by an API route",
  PCL4051: "LLM provider is not used by any model alias",
  PCL4052: "No price known for a model: its usage is recorded without a cost",
  PCL4053: "Budget time zone is not an IANA time zone",
  PCL4054: "Budget or rate limit sets no limit",
  PCL4055: "Budget or rate limit names a member (identity, consumer, team) that does not exist",
  PCL4056: "Two budgets or rate limits share a name",
  PCL4057: "No price known for a model while a money budget applies",
  PCL4058: "Longest answer of a model unknown while a budget reserves tokens or money (set maxTokens)",
  PCL4059: "Budget setting that has no effect for its scope",
  // PCL4140–PCL4149: AI budget store.
  PCL4140: "Budget store Redis URL cannot be used",
  // PCL4150–PCL4159: fallbacks, weighted targets and pooled provider keys.
  PCL4150: "Model alias whose targets all have weight 0",
  PCL4151: "LLM provider with both apiKey and apiKeys",
  PCL4152: "Bedrock provider with apiKeys (Bedrock requests are signed with awsCredentials)",
  PCL4153: "Model alias with an attemptTimeout but no second attempt (no effect)",
  PCL4154: "Weight on a model alias's fallback (fallbacks are tried in order)",
  // PCL4160–PCL4169: provider adapters (gemini, azure-openai, bedrock).
  PCL4160: "Bedrock provider with an apiKey (Bedrock requests are signed with awsCredentials)",
  // PCL4170–PCL4179: prompt APIs.
  PCL4170: "Prompt input schema is not a JSON Schema ajv can use (strict mode)",
  PCL4171: "Prompt output schema is not a JSON Schema ajv can use (strict mode)",
  PCL4172: "Prompt template placeholder that the input schema does not declare",
  PCL4173: "Prompt input schema is not an object schema (type: object)",
  PCL4174: "Prompt API path is taken by another route",
  PCL4175: "Prompt maxTokens above its model alias's maxTokens",
  // PCL4180–PCL4189: API versions published as MCP tools (apis[].versions.<v>.mcp).
  PCL4180: "MCP tool names no route or OpenAPI operation of its API version",
  PCL4181: "Route or operation that cannot be an MCP tool (prefix, wildcard template, header condition, several methods, header parameter, non-JSON body)",
  PCL4182: "API version published as MCP tools is not routed as a tool call reaches it (draft, retired, or a non-default header version)",
  PCL4183: "MCP tools path is taken by another route",
  PCL4184: "MCP tool name invalid or used twice",
  PCL4185: "MCP tool admitted by a rule on claims or client addresses, which tools/list cannot judge: the tool is left out of the list for those callers",
  PCL4186: "OpenAPI document of an API published as MCP tools cannot be read or is not OpenAPI 3.x",
  PCL4187: "API version published as MCP tools admits JWT callers but declares no resource URL: MCP clients cannot discover where to get a token",
  PCL4188: "Tokens issued for the resource URL of published MCP tools would be refused by a JWT identity's audiences",
  // PCL4060–PCL4069: config sections whose feature is not built yet (refused, never ignored).
  PCL4060: "MCP is not supported yet (no longer emitted: the MCP gateway is served)",
  // PCL4070–PCL4079: files the config names, checked as they are read (secrets: serve, up, validate;
  // JWKS in every mode) and paths checked where Envoys run (serve, up).
  PCL4070: "Certificate file holds no usable PEM certificate",
  PCL4071: "Certificate has expired or is not valid yet",
  PCL4072: "Certificate expires within 14 days",
  PCL4073: "Private key cannot be loaded (not PEM, encrypted or unsupported)",
  PCL4074: "Private key does not match its certificate",
  PCL4075: "JWKS file is missing, empty, not JSON or holds no key Envoy can use",
  PCL4076: "JWKS key that Envoy cannot use (the other keys still verify tokens)",
  PCL4077: "Access-log file cannot be written: its directory is missing or not writable",
  // PCL4090–PCL4099: the override and shadowing report (`portcullis explain --shadowing`), warnings to read.
  PCL4090: "Route access replaces its version's access (broader, narrower or different)",
  PCL4091: "Allow rule never decides: another rule of the same access admits every caller it admits",
  PCL4092: "Route unreachable for some method: an earlier route takes every such request",
  // PCL4120–PCL4139: the MCP gateway (mcp section, MCP providers).
  PCL4120: "MCP server URL cannot be used (credentials, query or fragment in it)",
  PCL4121: "MCP server over plaintext HTTP without a justification",
  PCL4122: "MCP server setting that has no effect (plaintext with an https URL)",
  PCL4123: "MCP API path is taken by another route",
  PCL4124: "MCP resource URL cannot be used (not an absolute https URL whose path is the API's path)",
  PCL4125: "MCP API admits JWT callers but declares no resource URL",
  PCL4126: "Tool rule condition the MCP processor cannot check for tools/list (claims, client addresses)",
  PCL4127: "MCP server is not used by any MCP API",
  PCL4136: "MCP API with both server and servers, or with neither",
  PCL4137: "Federated MCP servers with the same prefix",
  PCL4138: "MCP server federated twice behind one endpoint",
  // PCL4080–PCL4089: rate limits.
  PCL4080: "Rate limit key that some callers of the route do not have (they would not be limited)",
  PCL4081: "Rate limit by team, but an admitted consumer has no team",
  PCL4082: "Rate limit that local mode cannot count (not supported yet: use mode global)",
  PCL4083: "Rate-limit service address is not host:port",
  // PCL4100–PCL4109: the audit store (access-log receiver, retention).
  PCL4100: "Audit receiver address is not host:port",
  PCL4101: "Audit retention is not a number of hours or days",
  // PCL4110–PCL4119: the API catalog (documents the config names, read by `catalog` and `serve`).
  PCL4110: "OpenAPI document cannot be read",
  PCL4111: "OpenAPI document is not valid YAML/JSON or not an OpenAPI document",
  PCL4112: "Access grant names an API, version, route or grantee that does not exist",
  PCL4113: "Access grant approved by its own requester",
  PCL4114: "Access grant has expired: it gives no access any more",
  PCL4020: "Committed generated output is missing, differs or has an orphaned file (compile --check)",
} as const;

export type CompileCode = keyof typeof COMPILE_CODES;
