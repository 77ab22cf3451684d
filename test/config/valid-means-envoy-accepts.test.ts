/**
 * Property: a config that passes validation compiles without errors, and real Envoy accepts the
 * result (`envoy --mode validate` on the static bootstrap). Configs come from a structured
 * arbitrary whose strings are sometimes adversarial, so both sides of the boundary are exercised.
 * Bounded for a shared two-core machine: FUZZ_RUNS (default 60) configs, validated two at a time.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import { hasErrors } from "../../src/config/diagnostics.ts";
import type { Access, AllowRule, Api, ApiVersion, Cors, GatewayConfig, HeaderMatch, Listener, Provider, Route, RouteMatch } from "../../src/config/types.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { validateSnapshot } from "../../src/xds/static-bootstrap-file.ts";

const RUNS = Number(process.env["FUZZ_RUNS"] ?? 60);
const BATCH = 2;
const TODAY = "2026-06-01";

const dir = mkdtempSync(join(tmpdir(), "portcullis-valid-envoy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const configFile = join(dir, "gateway.yaml");
const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256", use: "sig" }] }));

/** A value that is usually well-formed and now and then one of the adversarial variants. */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 39, arbitrary: good }, { weight: 1, arbitrary: bad });
}

const EVIL = ["*", "..", " ", "\t", "\n", "\u0000", "(", ")", "[", "]", "{", "}", "|", "\\", "^", "$", "?", "#", "%", "%zz", ":", "/", "é", "+", "\"", "=", ",", ";", "@", "!", "~", "'", "-", "_", "."];
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const evil = fc.tuple(fc.array(fc.oneof(word, fc.constantFrom(...EVIL)), { minLength: 1, maxLength: 4 })).map(([parts]) => parts.join(""));

const hostname = mostly(
  fc.oneof(
    fc.array(word, { minLength: 1, maxLength: 3 }).map((labels) => [...labels, "example.com"].join(".")),
    word.map((label) => `*.${label}.example.com`),
    fc.constantFrom("*", "localhost", "API.Example.com", "api.example.com:8443", "*.example.com"),
  ),
  fc.oneof(evil, fc.constantFrom("a.*.com", "*", "*example.com", "api..example.com", ".example.com", "example.com.", "*.*.example.com", "-a.example.com", "a.example.com:0", "Api.example.com")),
);

const listener = (index: number): fc.Arbitrary<Listener> =>
  fc.record({
    name: fc.constant(`l${index}`),
    port: fc.constant(18000 + index),
    address: fc.constantFrom("0.0.0.0", "127.0.0.1"),
    hostnames: fc.array(hostname, { minLength: 1, maxLength: 3 }),
  });

const endpoint = mostly(fc.constantFrom("10.0.0.1:8080", "orders.internal:8443", "[::1]:9000", "127.0.0.1:1"), fc.oneof(evil, fc.constantFrom("host:0", "host:70000", "a b:80")));
const service: fc.Arbitrary<Provider> = fc.record({
  type: fc.constant("service" as const),
  endpoints: fc.array(endpoint, { minLength: 1, maxLength: 2 }),
  dns: fc.constantFrom("strict" as const, "strict" as const, "strict" as const, "logical" as const),
  protocol: fc.constantFrom("http1" as const, "http2" as const),
  loadBalancing: fc.constantFrom("round_robin" as const, "least_request" as const, "random" as const, "ring_hash" as const, "maglev" as const),
}).chain((base) => fc.oneof(fc.constant({ ...base, tls: {} }), fc.constant({ ...base, plaintext: { reason: "fuzzed backend on a private network" } })));

const segment = mostly(word, evil);
const pathArb = fc.array(segment, { minLength: 0, maxLength: 3 }).map((parts) => `/${parts.join("/")}`);
const templateTail = mostly(fc.constantFrom("{id}", "{id=*}", "{rest=**}", "*", "**", "{a}/{b}", "{id}/x"), fc.constantFrom("{x=**}/y", "{1a}", "{id}/{id}", "**/x", "{}", "{a=b}", "{a}-{b}", "x{id}"));
const templateArb = fc.tuple(fc.array(segment, { maxLength: 2 }), templateTail).map(([parts, tail]) => `/${[...parts, tail].join("/")}`);
const headerName = mostly(fc.constantFrom("x-tenant", "X-Request-Id", "accept", "x_under"), fc.oneof(evil, fc.constantFrom("bad header", ":authority", "x\u0000", "")));
const headerMatch: fc.Arbitrary<HeaderMatch> = fc.record({ name: headerName, value: mostly(word, evil) }, { requiredKeys: ["name"] });
const methods = fc.uniqueArray(fc.constantFrom("GET" as const, "POST" as const, "PUT" as const, "DELETE" as const, "PATCH" as const), { maxLength: 2 });

const match: fc.Arbitrary<RouteMatch> = fc.tuple(
  fc.oneof(pathArb.map((path) => ({ path })), pathArb.map((prefix) => ({ prefix })), templateArb.map((template) => ({ template }))),
  methods,
  fc.array(headerMatch, { maxLength: 2 }),
).map(([kind, m, headers]) => ({ ...kind, ...(m.length > 0 ? { methods: m } : {}), ...(headers.length > 0 ? { headers } : {}) }));

const cidr = mostly(fc.constantFrom("10.0.0.0/8", "192.168.1.7/32", "2001:db8::/32", "0.0.0.0/0", "127.0.0.1"), fc.oneof(evil, fc.constantFrom("10.0.0.0/33", "not-a-cidr", "10.0.0/8", "::/129", "10.0.0.0/", "10.0.0.0/8/8")));
const allowRule: fc.Arbitrary<AllowRule> = fc.oneof(
  fc.record({
    identity: fc.constant("staff"),
    scopes: fc.array(mostly(word, evil), { maxLength: 2 }),
    roles: fc.array(mostly(word, evil), { maxLength: 2 }),
    claims: fc.dictionary(word, fc.oneof(mostly(word, evil), fc.array(word, { minLength: 1, maxLength: 2 })), { maxKeys: 2 }),
    clientCidrs: fc.array(cidr, { maxLength: 2 }),
  }, { requiredKeys: ["identity"] }),
  fc.record({ identity: fc.constant("partners"), consumers: fc.constant(["acme"] as string[]), clientCidrs: fc.array(cidr, { maxLength: 1 }) }, { requiredKeys: ["identity"] }),
);
const access: fc.Arbitrary<Access> = fc.oneof(
  fc.array(allowRule, { minLength: 1, maxLength: 2 }).map((allow) => ({ allow })),
  fc.constant({ public: { reason: "health probe for the load balancer" } }),
);
const cors: fc.Arbitrary<Cors> = fc.record({
  origins: fc.array(fc.constantFrom("https://app.example.com", "https://*.example.com", "http://localhost:3000"), { minLength: 1, maxLength: 2 }),
  headers: fc.array(headerName, { maxLength: 2 }),
  exposeHeaders: fc.array(headerName, { maxLength: 2 }),
  credentials: fc.boolean(),
  maxAge: fc.constantFrom("10m", "1h", "30s"),
}, { requiredKeys: ["origins"] });

const rewriteFor = (m: RouteMatch) => fc.oneof(
  pathArb.map((prefix) => ({ prefix })),
  mostly(fc.constant(`/api${[...(m.template ?? "").matchAll(/\{(\w+)/g)].map(([, name]) => `/{${name}}`).join("")}`), fc.constantFrom("/api/{id}", "/x/{a}/{b}", "/{id}/{id}", "no-slash")).map((template) => ({ template })),
  fc.record({ host: fc.constantFrom("orders.internal", "example.com") }),
);
const route: fc.Arbitrary<Route> = match.chain((m) => fc.record({
  match: fc.constant(m),
  provider: fc.constantFrom("orders", "billing"),
  // Envoy rewrites a template match only with a template, and a template only for a template match.
  rewrite: mostly(rewriteFor(m).filter((r) => ("template" in r) === (m.template !== undefined) || "host" in r), rewriteFor(m)),
  timeout: fc.constantFrom("5s", "30s"),
  access,
  rateLimit: fc.record({ requests: fc.integer({ min: 1, max: 1000 }), per: fc.constantFrom("second" as const, "minute" as const, "hour" as const) }),
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

const basePath = mostly(fc.array(word, { maxLength: 2 }).map((parts) => `/${parts.join("/")}`), fc.constantFrom("/orders", "/", "/Orders/"));
const api = (index: number): fc.Arbitrary<Api> =>
  fc.record({
    name: fc.constant(`api${index}`),
    owner: fc.constant("team"),
    basePath,
    hostnames: fc.array(hostname, { minLength: 1, maxLength: 2 }),
    versioning: fc.oneof(fc.constant({ by: "path" as const }), fc.record({ by: fc.constant("header" as const), header: headerName }, { requiredKeys: ["by"] })),
    versions: fc.dictionary(fc.constantFrom("v1", "v2"), version, { minKeys: 1, maxKeys: 2 }),
  }, { requiredKeys: ["name", "owner", "basePath", "versions"] });

const url = (good: string[]) => mostly(fc.constantFrom(...good), fc.oneof(evil, fc.constantFrom("http://", "https://", "https://user:pw@host/x", "ftp://host/x", "https://host/x#frag", "https://ho st/x", "//host/x")));

const gatewayConfig: fc.Arbitrary<GatewayConfig> = fc.record({
  listeners: fc.tuple(listener(0), fc.option(listener(1), { nil: undefined })).map(([a, b]) => (b ? [a, b] : [a])),
  apis: fc.tuple(api(0), fc.option(api(1), { nil: undefined })).map(([a, b]) => (b ? [a, b] : [a])),
  orders: service,
  billing: service,
  jwks: fc.oneof(fc.constant({ file: "jwks.json" }), url(["https://auth.example.com/.well-known/jwks.json", "https://auth.example.com:8443/keys"]).map((u) => ({ url: u }))),
  mcpUrl: url(["https://tools.internal/mcp", "http://127.0.0.1:9000/mcp"]),
  baseUrl: url(["https://llm.internal/v1", "http://10.0.0.9:8000/v1"]),
  withAi: fc.boolean(),
}).map(({ listeners, apis, orders, billing, jwks, mcpUrl, baseUrl, withAi }) => ({
  gateway: { name: "fuzz", listeners },
  identities: {
    staff: { type: "jwt", issuer: "https://auth.example.com/", jwks, claims: { roles: "roles" } },
    partners: { type: "apiKey", consumers: [{ name: "acme", keys: { env: "ACME_KEYS" } }] },
  },
  providers: {
    orders, billing,
    tools: { type: "mcp", url: mcpUrl, bearerToken: { env: "TOOLS_TOKEN" } },
    llm: { type: "openai-compatible", baseUrl },
  },
  apis,
  ...(withAi ? {
    ai: { access: { allow: [{ identity: "staff" }] }, models: { chat: { targets: [{ provider: "llm", model: "m" }] } } },
    mcp: [{ name: "tools", path: "/mcp/tools", server: "tools", access: { allow: [{ identity: "staff" }] }, tools: [{ tool: "search_*", access: { allow: [{ identity: "staff" }] } }] }],
  } : {}),
}) as GatewayConfig);

const ENV = { ACME_KEYS: "key-one\nkey-two", TOOLS_TOKEN: "tools-token" };
let validated = 0;

/** Validation passes ⇒ compile has no errors ⇒ Envoy accepts; the failure says which step broke. */
async function verdict(config: GatewayConfig): Promise<string | undefined> {
  const findings = validateConfig(structuredClone(config), () => undefined, { file: configFile, today: TODAY });
  if (hasErrors(findings)) return undefined;
  const compiled = compileGateway(config, undefined, { file: configFile, env: ENV });
  const errors = compiled.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !compiled.snapshot) return `valid config fails to compile: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`;
  validated++;
  const envoy = await validateSnapshot(compiled.snapshot);
  return envoy.ok ? undefined : `Envoy rejects a valid config: ${envoy.message}`;
}

describe("a config that passes validation", () => {
  it("compiles without errors and real Envoy accepts it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(gatewayConfig, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const failures = (await Promise.all(batch.map(verdict))).filter((f) => f !== undefined);
        expect(failures, JSON.stringify(batch, null, 1)).toEqual([]);
      }),
      { numRuns: Math.ceil(RUNS / BATCH) },
    );
    // The arbitrary must reach Envoy, not only produce configs that validation rejects.
    expect(validated).toBeGreaterThan(0);
  }, 120_000);
});
