/**
 * fast-check arbitraries for whole gateway configs: usually well-formed, and now and then one
 * field is one of the values that have slipped past validation before (host names for listener
 * addresses, empty strings, control characters, numbers beyond what Envoy stores, malformed
 * paths, URLs and names). Used by the property test (validates ⇒ real Envoy accepts) and by the
 * compile fuzz test (nothing reaches an internal error).
 */
import fc from "fast-check";
import type { Access, AllowRule, Api, ApiVersion, Cors, GatewayConfig, HeaderMatch, Listener, Provider, Route, RouteMatch, TokenSource } from "../../src/config/types.ts";

/** Environment the generated configs' secret references name. */
export const GENERATED_ENV = { ACME_KEYS: "acme-key-0123456789abcdef0123456789abcdef", TOOLS_TOKEN: "tools-token-0123456789abcdef" };

/**
 * A value that is usually well-formed and now and then one of the adversarial variants: rarely
 * enough that about a third of the configs (with their hundred-odd fields) still validate.
 */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 120, arbitrary: good }, { weight: 1, arbitrary: bad });
}

const CONTROL = ["\n", "\r", "\r\n", "\u0000", "\t", "\u001f", "\u007f"];
const EVIL = [...CONTROL, "*", "..", " ", "(", ")", "[", "]", "{", "}", "|", "\\", "^", "$", "?", "#", "%", "%zz", ":", "/", "é", "+", "\"", "=", ",", ";", "@", "!", "~", "'", "-", "_", "."];
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const evil = fc.tuple(fc.array(fc.oneof(word, fc.constantFrom(...EVIL)), { minLength: 1, maxLength: 4 })).map(([parts]) => parts.join(""));
/** Adversarial text: evil characters, empty, or a good word with a control character inside. */
const badText = fc.oneof(evil, fc.constant(""), fc.tuple(word, fc.constantFrom(...CONTROL), word).map((parts) => parts.join("")));
const text = (good: fc.Arbitrary<string>) => mostly(good, badText);

const UINT32_MAX = 4_294_967_295;
/** Numbers beyond what a field holds: fractions, negatives, zero, past 32 bits, past exact integers. */
const BAD_NUMBERS = [1.5, 0.5, -1, 0, UINT32_MAX, UINT32_MAX + 1, 5e9, 2 ** 53, 2 ** 53 + 2, 1e21, -0, Number.MAX_VALUE];
const uint = (min: number, max: number) => mostly(fc.oneof(fc.integer({ min, max: Math.min(max, min + 100) }), fc.integer({ min, max })), fc.constantFrom(...BAD_NUMBERS, min - 1, max + 1));
const duration = mostly(fc.constantFrom("250ms", "5s", "2m", "1h", "30s"), fc.constantFrom("0s", "0ms", "99999999999h", "1.5s", "", "5 s", "-1s", "9007199254740993ms", "5S"));

const hostname = mostly(
  fc.oneof(
    fc.array(word, { minLength: 1, maxLength: 3 }).map((labels) => [...labels, "example.com"].join(".")),
    word.map((label) => `*.${label}.example.com`),
    fc.constantFrom("*", "localhost", "API.Example.com", "api.example.com:8443", "*.example.com"),
  ),
  fc.oneof(badText, fc.constantFrom("a.*.com", "*", "*example.com", "api..example.com", ".example.com", "example.com.", "*.*.example.com", "-a.example.com", "a.example.com:0", "Api.example.com", `${"a".repeat(64)}.com`, `${"a.".repeat(130)}com`)),
);

const address = mostly(
  fc.constantFrom("0.0.0.0", "127.0.0.1", "::", "::1", "::ffff:127.0.0.1"),
  fc.oneof(badText, fc.constantFrom("localhost", "999.1.1.1", " 0.0.0.0", "0.0.0.0 ", "[::1]", "fe80::1%eth0", "127.1", "1.2.3", "0x7f.0.0.1", "example.com", "*")),
);

const listener = (index: number): fc.Arbitrary<Listener> =>
  fc.record({
    name: fc.constant(`l${index}`),
    port: fc.constant(18000 + index),
    address,
    hostnames: fc.array(hostname, { minLength: 1, maxLength: 3 }),
  });

const RETRY_CONDITIONS = ["5xx", "gateway-error", "reset", "connect-failure", "refused-stream", "retriable-status-codes", "unavailable", "cancelled"];
const upstreamHost = mostly(fc.constantFrom("orders.internal", "example.com", "orders.internal:8443", "[::1]:8080", "10.0.0.1"), fc.oneof(badText, fc.constantFrom("a b", "orders.internal\nX-Injected: 1", "*.example.com", "::1", "host:0", "host:99999", "a".repeat(300))));
const sni = mostly(fc.constantFrom("orders.internal", "example.com"), fc.oneof(badText, fc.constantFrom("a b", "*.example.com", "host:443", "a".repeat(256))));
const endpoint = mostly(fc.constantFrom("10.0.0.1:8080", "orders.internal:8443", "[::1]:9000", "127.0.0.1:1"), fc.oneof(badText, fc.constantFrom("host:0", "host:70000", "a b:80", "999.1.1.1:80", `${"a".repeat(64)}.internal:80`)));

const service: fc.Arbitrary<Provider> = fc.record({
  type: fc.constant("service" as const),
  endpoints: fc.array(endpoint, { minLength: 1, maxLength: 2 }),
  dns: mostly(fc.constant("strict" as const), fc.constant("logical" as const)),
  protocol: fc.constantFrom("http1" as const, "http2" as const),
  loadBalancing: fc.constantFrom("round_robin" as const, "least_request" as const, "random" as const, "ring_hash" as const, "maglev" as const),
  timeouts: fc.record({ connect: duration, request: duration }, { requiredKeys: [] }),
  retries: fc.record({
    attempts: uint(0, 10),
    on: fc.array(mostly(fc.constantFrom(...RETRY_CONDITIONS), badText), { minLength: 1, maxLength: 3 }).map((on) => [...new Set(on), "retriable-status-codes"]),
    perTryTimeout: duration,
    statusCodes: fc.array(mostly(fc.integer({ min: 100, max: 599 }), fc.constantFrom(-1, 0, 99, 600, 5030, 1.5, UINT32_MAX + 1)), { maxLength: 2 }),
  }, { requiredKeys: [] }),
  healthCheck: fc.record({
    path: mostly(fc.constantFrom("/healthz", "/", "/status/ready"), fc.oneof(badText, fc.constantFrom("healthz", "/a b", "/\n", "/#x"))),
    interval: duration,
    timeout: duration,
    healthyThreshold: uint(1, UINT32_MAX),
    unhealthyThreshold: uint(1, UINT32_MAX),
  }, { requiredKeys: ["path"] }),
  circuitBreaker: fc.record({ maxConnections: uint(1, UINT32_MAX), maxPendingRequests: uint(1, UINT32_MAX), maxRequests: uint(1, UINT32_MAX), maxRetries: uint(0, UINT32_MAX) }, { requiredKeys: [] }),
  outlierDetection: fc.record({ consecutive5xx: uint(1, UINT32_MAX), interval: duration, baseEjectionTime: duration, maxEjectionPercent: uint(0, 100) }, { requiredKeys: [] }),
}, { requiredKeys: ["type", "endpoints", "dns", "protocol", "loadBalancing"] }).chain((base) => fc.oneof(
  fc.record({ sni, expectedSans: fc.array(text(word.map((w) => `${w}.internal`)), { maxLength: 1 }), expectedSpiffeIds: fc.array(text(word.map((w) => `spiffe://example.org/${w}`)), { maxLength: 1 }) }, { requiredKeys: [] }).map((tls) => ({ ...base, tls })),
  fc.constant({ ...base, plaintext: { reason: "fuzzed backend on a private network" } }),
));

const segment = mostly(word, evil);
const pathArb = fc.array(segment, { minLength: 0, maxLength: 3 }).map((parts) => `/${parts.join("/")}`);
const templateTail = mostly(fc.constantFrom("{id}", "{id=*}", "{rest=**}", "*", "**", "{a}/{b}", "{id}/x"), fc.constantFrom("{x=**}/y", "{1a}", "{id}/{id}", "**/x", "{}", "{a=b}", "{a}-{b}", "x{id}"));
const templateArb = fc.tuple(fc.array(segment, { maxLength: 2 }), templateTail).map(([parts, tail]) => `/${[...parts, tail].join("/")}`);
const headerName = mostly(fc.constantFrom("x-tenant", "X-Request-Id", "accept", "x_under"), fc.oneof(badText, fc.constantFrom("bad header", ":authority", "x\u0000")));
/** A header the logs copy (redactable), or one they never do (refused, PCL3040). */
const loggedHeaderName = mostly(fc.constantFrom("user-agent", "X-Request-Id", "x-portcullis-subject"), fc.oneof(headerName, fc.constantFrom("authorization")));
const headerMatch: fc.Arbitrary<HeaderMatch> = fc.record({ name: headerName, value: text(word) }, { requiredKeys: ["name"] });
const methods = fc.uniqueArray(fc.constantFrom("GET" as const, "POST" as const, "PUT" as const, "DELETE" as const, "PATCH" as const), { maxLength: 2 });

const match: fc.Arbitrary<RouteMatch> = fc.tuple(
  fc.oneof(pathArb.map((path) => ({ path })), pathArb.map((prefix) => ({ prefix })), templateArb.map((template) => ({ template }))),
  methods,
  fc.array(headerMatch, { maxLength: 2 }),
).map(([kind, m, headers]) => ({ ...kind, ...(m.length > 0 ? { methods: m } : {}), ...(headers.length > 0 ? { headers } : {}) }));

const cidr = mostly(fc.constantFrom("10.0.0.0/8", "192.168.1.7/32", "2001:db8::/32", "0.0.0.0/0", "127.0.0.1"), fc.oneof(badText, fc.constantFrom("10.0.0.0/33", "not-a-cidr", "10.0.0/8", "::/129", "10.0.0.0/", "10.0.0.0/8/8")));
const claimName = mostly(word, fc.oneof(badText, fc.constantFrom("realm_access.roles", "https://example.com/roles", ".", "a..b")));
const staffRule: fc.Arbitrary<AllowRule> = fc.record({
  identity: fc.constant("staff"),
  scopes: fc.array(text(word), { maxLength: 2 }),
  roles: fc.array(text(word), { maxLength: 2 }),
  claims: fc.dictionary(claimName, fc.oneof(text(word), fc.array(text(word), { minLength: 1, maxLength: 2 })), { maxKeys: 2 }),
  clientCidrs: fc.array(cidr, { maxLength: 2 }),
}, { requiredKeys: ["identity"] });
const partnersRule: fc.Arbitrary<AllowRule> = fc.record({ identity: fc.constant("partners"), consumers: fc.constant(["acme"] as string[]), clientCidrs: fc.array(cidr, { maxLength: 1 }) }, { requiredKeys: ["identity"] });
// One identity kind per access: a route taking both a JWT and an API key is refused at compile (PCL4032, not supported yet).
const access: fc.Arbitrary<Access> = fc.oneof(
  fc.array(staffRule, { minLength: 1, maxLength: 2 }).map((allow) => ({ allow })),
  fc.array(partnersRule, { minLength: 1, maxLength: 2 }).map((allow) => ({ allow })),
  fc.constant({ public: { reason: "health probe for the load balancer" } }),
);
const origin = mostly(fc.constantFrom("https://app.example.com", "https://*.example.com", "http://localhost:3000", "*"), fc.oneof(badText, fc.constantFrom("https://app.example.com/", "https://a.example.com/path", "app.example.com", "https://*.*.example.com")));
const cors: fc.Arbitrary<Cors> = fc.record({
  origins: fc.array(origin, { minLength: 1, maxLength: 2 }),
  headers: fc.array(headerName, { maxLength: 2 }),
  exposeHeaders: fc.array(headerName, { maxLength: 2 }),
  credentials: fc.boolean(),
  maxAge: duration,
}, { requiredKeys: ["origins"] });

const rewriteFor = (m: RouteMatch) => fc.oneof(
  pathArb.map((prefix) => ({ prefix })),
  mostly(fc.constant(`/api${[...(m.template ?? "").matchAll(/\{(\w+)/g)].map(([, name]) => `/{${name}}`).join("")}`), fc.constantFrom("/api/{id}", "/x/{a}/{b}", "/{id}/{id}", "no-slash")).map((template) => ({ template })),
  fc.record({ host: upstreamHost }),
);
const route: fc.Arbitrary<Route> = match.chain((m) => fc.record({
  match: fc.constant(m),
  provider: fc.constantFrom("orders", "billing"),
  // Envoy rewrites a template match only with a template, and a template only for a template match.
  rewrite: mostly(rewriteFor(m).filter((r) => ("template" in r) === (m.template !== undefined) || "host" in r), rewriteFor(m)),
  timeout: duration,
  access,
  rateLimit: fc.record({ requests: uint(1, UINT32_MAX), per: fc.constantFrom("second" as const, "minute" as const, "hour" as const) }),
  cors,
}, { requiredKeys: ["match", "provider"] }));

// Lifecycle fields are coherent for the state, or (rarely) contradictory.
type Lifecycle = Pick<ApiVersion, "state" | "sunset" | "deprecatedOn">;
const lifecycle = fc.constantFrom<Lifecycle>(
  { state: "draft" as const },
  { state: "published" as const },
  { state: "published" as const, sunset: "2027-06-30" },
  { state: "deprecated" as const, deprecatedOn: "2026-05-01", sunset: "2026-12-31" },
  { state: "deprecated" as const, sunset: "2027-02-28" },
  { state: "retired" as const, sunset: "2026-01-01" },
);
const badLifecycle = fc.constantFrom<Lifecycle>({ state: "published" as const, sunset: "2025-01-01" }, { state: "deprecated" as const, sunset: "2027-02-29" }, { state: "retired" as const });
const version: fc.Arbitrary<ApiVersion> = fc.record({
  lifecycle: mostly(lifecycle, badLifecycle),
  access,
  routes: fc.array(route, { minLength: 1, maxLength: 3 }),
}, { requiredKeys: ["lifecycle", "routes"] }).map(({ lifecycle: dates, ...rest }) => ({ ...dates, ...rest }));

const versionName = mostly(fc.constantFrom("v1", "v2", "2026-01", "v1.1"), fc.oneof(badText, fc.constantFrom("v 1", "v1/x", "é", "-v1", "v1%2f")));
const basePath = mostly(fc.array(word, { maxLength: 2 }).map((parts) => `/${parts.join("/")}`), fc.constantFrom("/orders", "/", "/Orders/"));
const api = (index: number): fc.Arbitrary<Api> =>
  fc.record({
    name: fc.constant(`api${index}`),
    owner: fc.constant("team"),
    basePath,
    hostnames: fc.array(hostname, { minLength: 1, maxLength: 2 }),
    versioning: fc.oneof(fc.constant({ by: "path" as const }), fc.record({ by: fc.constant("header" as const), header: headerName }, { requiredKeys: ["by"] })),
    versions: fc.dictionary(versionName, version, { minKeys: 1, maxKeys: 2 }),
  }, { requiredKeys: ["name", "owner", "basePath", "versions"] });

const url = (good: string[]) => mostly(fc.constantFrom(...good), fc.oneof(badText, fc.constantFrom("http://", "https://", "https://user:pw@host/x", "ftp://host/x", "https://host/x#frag", "https://ho st/x", "//host/x")));
const tokenSource: fc.Arbitrary<TokenSource> = fc.oneof(
  fc.record({ header: headerName, prefix: text(fc.constantFrom("Bearer ", "Token ")) }, { requiredKeys: ["header"] }),
  fc.record({ query: text(word) }),
  fc.record({ cookie: text(word) }),
);

/** A gateway with two identities (JWT with a local or remote JWKS, API key), four providers and one or two APIs. */
export const gatewayConfig: fc.Arbitrary<GatewayConfig> = fc.record({
  listeners: fc.tuple(listener(0), fc.option(listener(1), { nil: undefined })).map(([a, b]) => (b ? [a, b] : [a])),
  trustedProxyHops: uint(0, 10),
  limits: fc.record({ maxRequestHeadersKb: uint(1, 8192), connectionBufferBytes: uint(1024, UINT32_MAX), maxConnections: uint(1, Number.MAX_SAFE_INTEGER), requestHeadersTimeout: duration, streamIdleTimeout: duration }, { requiredKeys: [] }),
  apis: fc.tuple(api(0), fc.option(api(1), { nil: undefined })).map(([a, b]) => (b ? [a, b] : [a])),
  orders: service,
  billing: service,
  jwks: fc.oneof(fc.constant({ file: "jwks.json" }), url(["https://auth.example.com/.well-known/jwks.json", "https://auth.example.com:8443/keys"]).map((u) => ({ url: u }))),
  staff: fc.record({
    issuer: text(fc.constantFrom("https://auth.example.com/", "issuer")),
    audiences: fc.array(text(word), { maxLength: 2 }),
    clockSkewSeconds: uint(0, 600),
    from: fc.array(tokenSource, { minLength: 1, maxLength: 2 }),
    claims: fc.record({ roles: claimName, subject: claimName, scopes: claimName, groups: claimName }, { requiredKeys: ["roles"] }),
  }),
  team: text(word),
  audit: fc.record({ accessLog: text(fc.constantFrom("stdout", "/dev/null")), redactHeaders: fc.array(loggedHeaderName, { maxLength: 2 }) }, { requiredKeys: [] }),
  // https only: a plaintext LLM provider is refused at compile (PCL4045), not by validation.
  baseUrl: url(["https://llm.internal/v1", "https://10.0.0.9:8000/v1"]),
  withAi: fc.boolean(),
}).map(({ listeners, trustedProxyHops, limits, apis, orders, billing, jwks, staff, team, audit, baseUrl, withAi }) => ({
  gateway: { name: "fuzz", listeners, trustedProxyHops, limits },
  identities: {
    staff: { type: "jwt", jwks, ...staff },
    partners: { type: "apiKey", consumers: [{ name: "acme", team, keys: { env: "ACME_KEYS" } }] },
  },
  providers: {
    orders, billing,
    llm: { type: "openai-compatible", baseUrl },
  },
  apis,
  audit,
  ...(withAi ? {
    ai: { access: { allow: [{ identity: "staff" }] }, models: { chat: { targets: [{ provider: "llm", model: "m" }] } } },
  } : {}),
}) as GatewayConfig);
