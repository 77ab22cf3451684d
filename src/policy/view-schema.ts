/**
 * The typed view of the IR that policy rules read: every object, field and type a CEL expression
 * may use. It is the contract of user packs, so it is documented here (policies/README.md shows it,
 * and a test keeps the two equal) and rule expressions are type-checked against it when a pack loads.
 * src/policy/view.ts builds values of these shapes from the IR; nothing else is visible to a rule.
 */

export type ViewType =
  | { readonly kind: "string" | "int" | "uint" | "double" | "bool" | "bytes" | "null" | "dyn" }
  | { readonly kind: "list"; readonly element: ViewType }
  | { readonly kind: "map"; readonly key: ViewType; readonly value: ViewType }
  | { readonly kind: "object"; readonly name: string };

export interface ViewField {
  readonly type: ViewType;
  readonly doc: string;
  /** Absent from the value when the IR has none: test with `has(x.field)` before reading it. */
  readonly optional?: true;
}

export interface ViewObject {
  readonly doc: string;
  readonly fields: Readonly<Record<string, ViewField>>;
}

export const STRING: ViewType = { kind: "string" };
export const INT: ViewType = { kind: "int" };
export const BOOL: ViewType = { kind: "bool" };
export const DYN: ViewType = { kind: "dyn" };
export const list = (element: ViewType): ViewType => ({ kind: "list", element });
const object = (name: string): ViewType => ({ kind: "object", name });
const STRINGS = list(STRING);

const field = (type: ViewType, doc: string): ViewField => ({ type, doc });
const optional = (type: ViewType, doc: string): ViewField => ({ type, doc, optional: true });

export const VIEW_OBJECTS: Readonly<Record<string, ViewObject>> = {
  Gateway: {
    doc: "The whole gateway (variable `gateway` in every rule).",
    fields: {
      name: field(STRING, "gateway.name"),
      trustedProxyHops: field(INT, "proxies in front that append to X-Forwarded-For"),
      routes: field(list(object("Route")), "every route Envoy serves"),
      upstreams: field(list(object("Upstream")), "every upstream cluster"),
      listeners: field(list(object("Listener")), "every listener"),
      jwtIdentities: field(list(object("JwtIdentity")), "JWT identities"),
      apiKeyIdentities: field(list(object("ApiKeyIdentity")), "API-key identities"),
      apis: field(list(object("Api")), "every API as declared, draft versions included"),
    },
  },
  Route: {
    doc: "A route Envoy serves. Drafts are not routed; a retired version has one route that answers 410.",
    fields: {
      id: field(STRING, "`<api>.<version>.<route>`"),
      api: field(STRING, "API name (`ai` for the AI gateway's routes)"),
      version: field(STRING, "version name (`-` for the AI gateway's routes)"),
      name: field(STRING, "route name, as written or derived from the match"),
      path: field(STRING, "full path as clients send it"),
      matchKind: field(STRING, "`exact`, `prefix` or `template`"),
      methods: field(STRINGS, "methods as written; empty: the default seven"),
      hostnames: field(STRINGS, "host names it is served on"),
      state: field(STRING, "lifecycle state: `published`, `deprecated` or `retired`"),
      action: field(STRING, "`forward` (to an upstream), `gone` (410, retired) or `ai-processor`"),
      upstream: field(STRING, "the upstream it forwards to; empty unless `forward`"),
      access: field(object("Access"), "who may call it (the route's own rules or its version's)"),
      versionAccess: optional(object("Access"), "its version's default access; absent when the version sets none"),
      beyondVersionAccess: field(STRINGS, "callers it admits that its version's default does not (identities, consumers, SPIFFE IDs, client ranges, `everyone`)"),
      rateLimit: optional(object("RateLimit"), "request rate limit"),
      cors: optional(object("Cors"), "CORS settings"),
      ai: field(BOOL, "a route of the AI gateway"),
    },
  },
  Access: {
    doc: "Who may call a route.",
    fields: {
      kind: field(STRING, "`public`, `deny` (no rule: deny by default) or `identities`"),
      reason: field(STRING, "why it is public, trimmed; empty unless `public`"),
      rules: field(list(object("AllowRule")), "allow rules (any one admits); empty unless `identities`"),
    },
  },
  AllowRule: {
    doc: "One allow rule: an identity and conditions on it, or client ranges alone.",
    fields: {
      identity: field(STRING, "identity name; empty for an address rule"),
      identityType: field(STRING, "`jwt`, `apiKey`, `mtls` or `address`"),
      scopes: field(STRINGS, "required scopes"),
      roles: field(STRINGS, "required roles"),
      groups: field(STRINGS, "required groups"),
      consumers: field(STRINGS, "API-key consumers admitted; empty: every consumer of the identity"),
      spiffeIds: field(STRINGS, "mTLS SPIFFE IDs admitted; empty: every client of the identity"),
      clientCidrs: field(STRINGS, "client address ranges required"),
      claims: field(list(object("Claim")), "required claim values"),
    },
  },
  Claim: { doc: "A claim condition.", fields: { name: field(STRING, "claim path"), values: field(STRINGS, "accepted values") } },
  RateLimit: {
    doc: "A rate limit: a route's own, or its API's.",
    fields: {
      requests: field(INT, "requests per period"),
      periodSeconds: field(INT, "period in seconds"),
      by: field(STRING, "what is counted apart: `global`, `client`, `identity`, `consumer` or `team`"),
      scope: field(STRING, "which routes share the count: `route`, `api` or `version`"),
      mode: field(STRING, "`local` (each Envoy counts) or `global` (the rate-limit service counts for the fleet)"),
      failureMode: field(STRING, "when the rate-limit service fails: `deny` or `allow` (`deny` for local limits)"),
    },
  },
  Cors: {
    doc: "A route's CORS settings.",
    fields: {
      origins: field(STRINGS, "allowed origins (`*`, or with one leading `*.` label)"),
      methods: field(STRINGS, "allowed methods"),
      credentials: field(BOOL, "whether browsers may send credentials"),
      maxAgeSeconds: field(INT, "preflight cache time"),
    },
  },
  Upstream: {
    doc: "An upstream cluster Envoy connects to.",
    fields: {
      name: field(STRING, "cluster name (the provider's name for services and LLM providers)"),
      kind: field(STRING, "`service`, `llm` (an LLM provider), `jwks` (a remote key set) or `ai-processor`"),
      endpoints: field(list(object("Endpoint")), "where it connects"),
      loopback: field(BOOL, "every endpoint is a loopback address or `localhost`: traffic never leaves the host"),
      protocol: field(STRING, "`http1` or `http2`"),
      tls: optional(object("UpstreamTls"), "TLS to the upstream; absent: plaintext"),
    },
  },
  Endpoint: { doc: "host:port of an upstream.", fields: { host: field(STRING, "host name or IP address"), port: field(INT, "port") } },
  UpstreamTls: {
    doc: "TLS from the gateway to an upstream.",
    fields: {
      sni: field(STRING, "SNI sent; empty: none"),
      trust: field(STRING, "`ca` (the config's CA bundle) or `system` (the system trust store)"),
      clientCertificate: field(BOOL, "the gateway presents a client certificate (mTLS)"),
      expectedSpiffeIds: field(STRINGS, "SPIFFE IDs the upstream's certificate must carry"),
      expectedSans: field(STRINGS, "DNS names the upstream's certificate must carry"),
    },
  },
  Listener: {
    doc: "Where the gateway accepts traffic.",
    fields: {
      name: field(STRING, "listener name"),
      address: field(STRING, "IP address it binds"),
      port: field(INT, "port"),
      hostnames: field(STRINGS, "host names it serves"),
      tls: optional(object("ListenerTls"), "TLS; absent: plaintext"),
    },
  },
  ListenerTls: {
    doc: "TLS on a listener.",
    fields: {
      minVersion: field(STRING, "`1.2` or `1.3`"),
      clientCertificate: optional(object("ClientCertificate"), "mTLS: client certificates are checked against a CA"),
    },
  },
  ClientCertificate: { doc: "Client certificate checking on a listener.", fields: { required: field(BOOL, "a client without a certificate is refused") } },
  JwtIdentity: {
    doc: "A JWT identity.",
    fields: {
      name: field(STRING, "identity name"),
      issuer: field(STRING, "required `iss`"),
      audiences: field(STRINGS, "accepted `aud` values; empty: any audience"),
      jwks: field(STRING, "`local` (a file) or `remote` (fetched)"),
      jwksUri: field(STRING, "the remote key set's URL; empty when local"),
      clockSkewSeconds: field(INT, "tolerated clock skew"),
      tokenHeaders: field(STRINGS, "headers a token is read from"),
      tokenParams: field(STRINGS, "query parameters a token is read from"),
      tokenCookies: field(STRINGS, "cookies a token is read from"),
    },
  },
  ApiKeyIdentity: {
    doc: "An API-key identity.",
    fields: {
      name: field(STRING, "identity name"),
      header: field(STRING, "header the key is read from (lower case); empty when read from the query"),
      query: field(STRING, "query parameter the key is read from; empty when read from a header"),
      consumers: field(list(object("Consumer")), "its consumers"),
    },
  },
  Consumer: { doc: "An API-key consumer.", fields: { name: field(STRING, "consumer name"), team: field(STRING, "owning team; empty when not set") } },
  Api: {
    doc: "An API as declared.",
    fields: {
      name: field(STRING, "API name"),
      owner: field(STRING, "owning team, trimmed"),
      description: field(STRING, "description, trimmed; empty when not set"),
      openapi: field(STRING, "path of its OpenAPI document; empty when not set"),
      versions: field(list(object("Version")), "its versions, drafts included"),
      rateLimit: optional(object("RateLimit"), "the API's rate limit (`apis[].rateLimit`), over the routes of every version or of each"),
    },
  },
  Version: {
    doc: "An API version as declared, drafts included.",
    fields: {
      api: field(STRING, "API name"),
      name: field(STRING, "version name"),
      state: field(STRING, "`draft`, `published`, `deprecated` or `retired`"),
      deprecatedOn: field(STRING, "`YYYY-MM-DD`; empty when not set"),
      sunset: field(STRING, "`YYYY-MM-DD`; empty when not set"),
      successor: field(STRING, "successor version; empty when not set"),
      openapi: field(STRING, "its API's OpenAPI document; empty when not set"),
      routes: field(STRINGS, "names of the routes it lists (a retired version's are never routed)"),
      access: optional(object("Access"), "default access of its routes; absent when not set"),
    },
  },
};

/** What a rule can be about (`for:`), the variable that holds it, and its type. */
export const SUBJECTS = {
  route: "Route",
  upstream: "Upstream",
  listener: "Listener",
  jwt: "JwtIdentity",
  apiKey: "ApiKeyIdentity",
  api: "Api",
  version: "Version",
} as const satisfies Record<string, keyof typeof VIEW_OBJECTS>;

export type SubjectKind = keyof typeof SUBJECTS;

/** The variables of a rule about `subject`: the subject itself, the gateway and today's date. */
export function ruleVariables(subject: SubjectKind): ReadonlyMap<string, ViewType> {
  return new Map<string, ViewType>([
    [subject, object(SUBJECTS[subject])],
    ["gateway", object("Gateway")],
    ["today", STRING],
  ]);
}

export function typeName(type: ViewType): string {
  switch (type.kind) {
    case "list":
      return `list(${typeName(type.element)})`;
    case "map":
      return `map(${typeName(type.key)}, ${typeName(type.value)})`;
    case "object":
      return type.name;
    default:
      return type.kind;
  }
}
