// A fuller gateway: JWT, API-key and mTLS callers; TLS and SPIFFE to services; LLM providers
// behind one OpenAI-style API; MCP tools with per-tool rules; lifecycle; CORS; limits.
import { defineGateway, env, file } from "portcullis";

const checkoutOnly = { allow: [{ identity: "mesh", spiffeIds: ["spiffe://shop.example/ns/shop/sa/checkout"] }] };

export default defineGateway({
  $schema: "../../schema/gateway.schema.json",
  gateway: {
    name: "shop",
    trustedProxyHops: 1,
    listeners: [
      {
        name: "public",
        port: 8443,
        hostnames: ["api.shop.example", "*.shop.example"],
        tls: { certificate: file("secrets/api.crt"), privateKey: file("secrets/api.key"), minVersion: "1.3" },
      },
      {
        name: "mesh",
        port: 9443,
        hostnames: ["internal.shop.example"],
        tls: {
          certificate: file("secrets/mesh.crt"),
          privateKey: file("secrets/mesh.key"),
          clientCertificate: { caCertificate: file("secrets/mesh-ca.pem") },
        },
      },
    ],
    limits: { requestHeadersTimeout: "5s", maxRequestHeadersKb: 32 },
  },

  identities: {
    customers: {
      type: "jwt",
      issuer: "https://auth.shop.example/",
      audiences: ["shop-api"],
      // The issuer's public signing keys: not a secret, so they live beside the config.
      jwks: { file: "jwks.json" },
      clockSkewSeconds: 30,
      claims: { roles: "roles", groups: "groups" },
    },
    partners: {
      type: "apiKey",
      from: { header: "x-api-key" },
      consumers: [
        { name: "acme", team: "partnerships", keys: env("ACME_API_KEYS") },
        { name: "globex", team: "partnerships", keys: file("secrets/globex.keys") },
      ],
    },
    mesh: {
      type: "mtls",
      clients: [{ name: "checkout", spiffeId: "spiffe://shop.example/ns/shop/sa/checkout" }],
    },
  },

  providers: {
    orders: {
      type: "service",
      endpoints: ["orders.shop.internal:8443"],
      protocol: "http2",
      tls: { caCertificate: file("secrets/mesh-ca.pem"), expectedSpiffeIds: ["spiffe://shop.example/ns/shop/sa/orders"] },
      timeouts: { connect: "2s", request: "10s" },
      retries: { attempts: 2, perTryTimeout: "3s" },
      healthCheck: { path: "/healthz", interval: "5s" },
      circuitBreaker: { maxConnections: 512, maxRequests: 512 },
      outlierDetection: { consecutive5xx: 5 },
      loadBalancing: "least_request",
    },
    catalog: {
      type: "service",
      endpoints: ["catalog.shop.internal:443"],
      dns: "logical",
      tls: { sni: "catalog.shop.internal", expectedSans: ["catalog.shop.internal"] },
    },
    openai: { type: "openai", apiKey: env("OPENAI_API_KEY"), models: ["gpt-4o-mini", "gpt-4o"] },
    claude: { type: "anthropic", apiKey: env("ANTHROPIC_API_KEY") },
    // The shop's MCP server; the gateway sends it a token of its own, never the caller's.
    tools: {
      type: "mcp",
      url: "https://tools.shop.internal/mcp",
      tls: { caCertificate: file("secrets/mesh-ca.pem"), expectedSpiffeIds: ["spiffe://shop.example/ns/shop/sa/tools"] },
      bearerToken: env("TOOLS_MCP_TOKEN"),
    },
    local: {
      type: "openai-compatible",
      baseUrl: "http://llm.shop.internal:8000/v1",
      plaintext: { reason: "the local model server is reachable only inside the cluster network" },
      models: ["llama-3.1-8b"],
    },
  },

  apis: [
    {
      name: "orders",
      owner: "team-orders",
      description: "Create and track orders.",
      basePath: "/orders",
      openapi: "openapi/orders.yaml",
      versions: {
        v1: {
          state: "deprecated",
          deprecatedOn: "2026-01-15",
          sunset: "2030-06-30",
          successor: "v2",
          access: { allow: [{ identity: "customers", scopes: ["orders:read"] }] },
          routes: [{ name: "list", match: { path: "/", methods: ["GET"] }, provider: "orders" }],
        },
        v2: {
          state: "published",
          // Customers with a token, or the partner acme with an API key.
          access: { allow: [{ identity: "customers", scopes: ["orders:read"] }, { identity: "partners", consumers: ["acme"] }] },
          routes: [
            { name: "list", match: { path: "/", methods: ["GET"] }, provider: "orders", rateLimit: { requests: 50, per: "second", by: "identity" } },
            {
              name: "create",
              match: { path: "/", methods: ["POST"] },
              provider: "orders",
              timeout: "20s",
              access: { allow: [{ identity: "customers", scopes: ["orders:write"], roles: ["buyer"] }] },
            },
            {
              name: "get",
              match: { template: "/{id}", methods: ["GET"] },
              provider: "orders",
              rewrite: { template: "/internal/orders/{id}" },
              cors: { origins: ["https://shop.example"], credentials: true, maxAge: "1h" },
            },
            { name: "fulfil", match: { template: "/{id}/fulfil", methods: ["POST"] }, provider: "orders", access: checkoutOnly },
            // Operations dashboards on the office network read stats without a token; admins anywhere with one.
            {
              name: "stats",
              match: { path: "/stats", methods: ["GET"] },
              provider: "orders",
              access: { allow: [{ clientCidrs: ["10.20.0.0/16"] }, { identity: "customers", roles: ["admin"] }] },
            },
          ],
        },
        v3: { state: "draft", routes: [{ match: { prefix: "/" }, provider: "orders", access: checkoutOnly }] },
      },
    },
    {
      name: "catalog",
      owner: "team-catalog",
      description: "The product catalog: public marketing data.",
      basePath: "/catalog",
      versioning: { by: "header", header: "api-version", default: "2025-01" },
      versions: {
        "2025-01": {
          state: "published",
          access: { public: { reason: "the product catalog is public marketing data" } },
          routes: [{ match: { prefix: "/", methods: ["GET", "HEAD"] }, provider: "catalog" }],
        },
        "2024-01": { state: "retired", sunset: "2025-01-31", successor: "2025-01", routes: [] },
      },
    },
  ],

  ai: {
    basePath: "/ai/v1",
    access: { allow: [{ identity: "customers", groups: ["ai-beta"] }, { identity: "partners" }] },
    models: {
      fast: { targets: [{ provider: "openai", model: "gpt-4o-mini" }], maxTokens: 2048 },
      local: { targets: [{ provider: "local", model: "llama-3.1-8b" }] },
      smart: { targets: [{ provider: "claude", model: "claude-sonnet-4-5" }] },
    },
    // Not supported yet, so refused rather than accepted without effect (PCL4040–PCL4042):
    // weighted targets (fast: openai ×3, local ×1), fallbacks (smart → openai gpt-4o), and budgets
    // ({ name: "per-consumer", scope: "consumer", usd: 50, period: "month" } and a global daily
    // token budget). Usage and cost are recorded meanwhile: `portcullis usage --by consumer`.
  },

  // Prompt APIs are not supported yet (PCL4044). The summarize endpoint will return as:
  // prompts: [{ name: "summarize", path: "/prompts/summarize", model: "fast",
  //   template: "Summarize in {{sentences}} sentences:\n\n{{text}}",
  //   input: { type: "object", required: ["text"], properties: { text: { type: "string" }, sentences: { type: "integer" } } },
  //   access: { allow: [{ identity: "customers" }] } }],

  // Agents reach the shop's tools over MCP. Envoy decides every tools/call by the tool rules (the first
  // rule whose tool matches); each caller's tools/list holds only its tools. MCP clients without a
  // token are sent to https://api.shop.example/.well-known/oauth-protected-resource/mcp/shop, and
  // customers' tokens must be issued for the resource URL (aud).
  mcp: [
    {
      name: "shop-tools",
      path: "/mcp/shop",
      server: "tools",
      resource: "https://api.shop.example/mcp/shop",
      access: { allow: [{ identity: "customers" }, { identity: "partners" }] },
      tools: [
        { tool: "search_*", access: { public: { reason: "catalog and order search is open to every caller of the MCP API" } } },
        { tool: "refund_order", access: { allow: [{ identity: "customers", roles: ["support"] }] } },
        { tool: "export_orders", access: { allow: [{ identity: "partners", consumers: ["acme"] }] } },
      ],
    },
  ],

  zeroTrust: { mode: "strict" },
  audit: { accessLog: "stdout", redactHeaders: ["x-portcullis-subject"] },
  // Both built-in packs run (policies/README.md lists their rules); here a route nobody may call is
  // an error rather than a warning, and three findings are accepted on purpose until they expire.
  policy: {
    rules: { "PCL-ZT-001": "error" },
    waivers: [
      {
        rule: "PCL-ZT-004",
        target: "providers.local",
        reason: "the local model server is reachable only inside the cluster network",
        owner: "team-ml",
        expires: "2027-03-31",
      },
      {
        rule: "PCL-ZT-003",
        target: "apis.orders.versions.v2.routes.fulfil",
        reason: "only the checkout service fulfils orders, over the mesh listener with its SPIFFE ID",
        owner: "team-orders",
        expires: "2027-06-30",
      },
      {
        rule: "PCL-ZT-003",
        target: "apis.orders.versions.v2.routes.stats",
        reason: "operations dashboards on the office network read order stats without a token",
        owner: "team-orders",
        expires: "2027-09-30",
      },
    ],
  },
});
