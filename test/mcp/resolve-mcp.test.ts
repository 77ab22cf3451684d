/**
 * The `mcp` section and MCP providers at compile time: what resolves (the endpoint route under the
 * API's access rules with the resource as required audience, the metadata documents, the server's
 * cluster with TLS that checks its name, the processor) and what is refused where it is written.
 */
import { describe, expect, it } from "vitest";
import { renderByType } from "../../src/xds/render.ts";
import { APP_KEYS, yamlCompiler } from "../support/yaml-compile.ts";

const HEAD = `gateway:
  name: mcp
  listeners: [{ name: web, port: 8080, hostnames: [gw.test] }]
identities:
  sso: { type: jwt, issuer: "https://sso.test/", audiences: ["https://gw.test/mcp"], jwks: { url: "https://sso.test/jwks" }, claims: { roles: roles } }
  apps: { type: apiKey, consumers: [{ name: alice, keys: { env: APP_KEYS } }] }
`;

const compile = yamlCompiler(HEAD, { env: { APP_KEYS } });

/** code, severity and line of each finding (lines counted in the whole file, HEAD included). */
const found = (result: Awaited<ReturnType<typeof compile>>) => result.diagnostics.filter((d) => d.code.startsWith("PCL4")).map((d) => [d.code, d.severity, d.location?.line]);

const TOOLS = `    tools:
      - { tool: "search_*", access: { public: { reason: "search is open to every caller" } } }
      - { tool: delete_repo, access: { allow: [{ identity: sso, roles: [admin] }] } }
`;

describe("the mcp section", () => {
  it("compiles to an endpoint route, the metadata documents, the server's cluster and the processor's", async () => {
    const result = await compile(`providers:
  tools: { type: mcp, url: "https://tools.internal:8443/v1/mcp", bearerToken: { env: MCP_TOKEN } }
mcp:
  - name: tools
    path: /mcp
    server: tools
    resource: "https://gw.test/mcp"
    access: { allow: [{ identity: sso, scopes: [mcp] }] }
${TOOLS}`, { MCP_TOKEN: "mcp-secret-never-printed" });
    expect(found(result)).toEqual([]);
    const ir = result.ir!;
    expect(ir.routes.filter((r) => r.api === "@mcp").map((r) => [r.id, r.match.path, r.action.kind, r.access.kind])).toEqual([
      ["@mcp.tools.resource-metadata", "/.well-known/oauth-protected-resource/mcp", "respond", "public"],
      ["@mcp.resource-metadata", "/.well-known/oauth-protected-resource", "respond", "public"],
      ["@mcp.tools", "/mcp", "forward", "identities"],
    ]);
    const endpoint = ir.routes.find((r) => r.id === "@mcp.tools")!;
    expect(endpoint.action).toMatchObject({ cluster: "tools", rewrite: { prefix: "/v1/mcp", host: "tools.internal:8443" } });
    // Tokens must be issued for this resource.
    expect(endpoint.access.kind === "identities" && endpoint.access.rules[0]!.claims).toEqual([{ name: "aud", values: ["https://gw.test/mcp"] }]);
    expect(ir.clusters.find((c) => c.name === "tools")).toMatchObject({ discovery: "strict-dns", endpoints: [{ host: "tools.internal", port: 8443 }], tls: { sni: "tools.internal", expectedSans: ["tools.internal"] } });
    expect(ir.mcp?.processor).toEqual({ address: { kind: "tcp", host: "127.0.0.1", port: 18001 }, cluster: "portcullis_ai_processor" });
    expect(ir.mcp?.apis[0]).toMatchObject({ resource: "https://gw.test/mcp", resourceMetadataUrl: "https://gw.test/.well-known/oauth-protected-resource/mcp", maxRequestBytes: 65536 });
    const rendered = [...renderByType(result.snapshot!).values()].join("\n");
    expect(rendered).toMatch(/name: portcullis_ai_processor\ntype: STATIC/);
    expect(rendered).toContain("traffic_mode: REJECT_NO_MCP");
    expect(rendered).toContain("reject_duplicate_keys: true");
    expect(rendered).toContain("resource_metadata=");
    expect(rendered).toContain("https://gw.test/.well-known/oauth-protected-resource/mcp");
    expect(rendered).not.toContain("mcp-secret-never-printed");
  });

  it("refuses what would not hold where it is written", async () => {
    const result = await compile(`providers:
  plain: { type: mcp, url: "http://tools.internal/mcp" }
  query: { type: mcp, url: "https://tools.internal/mcp?key=1" }
  ok: { type: mcp, url: "https://tools.internal/mcp" }
  unused: { type: mcp, url: "https://other.internal/mcp" }
  svc: { type: service, endpoints: ["127.0.0.1:9000"], plaintext: { reason: "loopback backend for the test" } }
apis:
  - name: taken
    owner: me
    basePath: /
    versions:
      v1:
        state: published
        access: { public: { reason: "a public test route" } }
        routes: [{ match: { path: /mcp/a }, provider: svc }]
mcp:
  - name: a
    path: /v1/mcp/a
    server: plain
    access: { allow: [{ identity: sso }] }
    tools:
      - { tool: x, access: { allow: [{ identity: sso, claims: { team: red } }] } }
  - name: b
    path: /mcp/b
    server: ok
    resource: "https://gw.test/elsewhere"
    access: { allow: [{ identity: apps }] }
    tools: []
  - { name: c, path: /mcp/c, server: query, access: { allow: [{ identity: apps }] }, tools: [] }
`);
    expect(found(result)).toEqual([
      ["PCL4121", "error", 8],
      ["PCL4120", "error", 9],
      ["PCL4127", "warning", 11],
      ["PCL4125", "error", 23],
      ["PCL4126", "error", 28],
      ["PCL4124", "error", 32],
      ["PCL4123", "error", 24],
    ]);
    expect(result.snapshot).toBeUndefined();
  });

  it("compiles prompt and resource rules to RBAC on the mcp filter's metadata, refusing claims in them where written", async () => {
    const api = (rules: string) => `providers:
  tools: { type: mcp, url: "https://tools.internal:8443/v1/mcp" }
mcp:
  - name: tools
    path: /mcp
    server: tools
    resource: "https://gw.test/mcp"
    access: { allow: [{ identity: sso }] }
${TOOLS}${rules}`;
    const result = await compile(api(`    prompts:
      - { prompt: "admin_*", access: { allow: [{ identity: sso, roles: [admin] }] } }
    resources:
      - { uri: "docs://public/*", access: { public: { reason: "public documents" } } }
`));
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.ir!.mcp!.apis[0]).toMatchObject({ prompts: [{ pattern: "admin_*" }], resources: [{ pattern: "docs://public/*", access: { kind: "public" } }] });
    const rendered = [...renderByType(result.snapshot!).values()].join("\n");
    expect(rendered).toContain("prompts[0]:");
    expect(rendered).toContain("resources[0]:");
    expect(rendered).toContain("exact: resources/subscribe");
    expect(rendered).toContain("regex: ^docs://public/.*$");
    // Refused uses are answered as JSON-RPC errors: -32602 for prompts, -32002 for resources.
    expect(rendered).toContain("Prompt %DYNAMIC_METADATA(envoy.filters.http.mcp:params:name)% is not available to this caller.");
    expect(rendered).toContain("Resource %DYNAMIC_METADATA(envoy.filters.http.mcp:params:uri)% is not available to this caller.");
    const claims = await compile(api(`    prompts:
      - { prompt: "*", access: { allow: [{ identity: sso, claims: { tenant: acme } }] } }
`));
    expect(found(claims)).toEqual([["PCL4126", "error", 19]]);
    expect(claims.diagnostics.find((d) => d.code === "PCL4126")!.message).toBe('Prompt rule for "*" sets claims, which prompt rules do not support yet: prompts/list could not be filtered by them.');
  });
});
