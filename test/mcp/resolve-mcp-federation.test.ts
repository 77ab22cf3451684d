/**
 * Federated MCP endpoints at compile time: what resolves (the servers with their prefixes, paths,
 * hosts and tokens; an mcp_router skipped on every other path, after the tool rules; each
 * server's cluster with the processor that sets its credential; a route action that only answers
 * an error) and what is refused where it is written.
 */
import { describe, expect, it } from "vitest";
import { renderByType } from "../../src/xds/render.ts";
import { yamlCompiler } from "../support/yaml-compile.ts";

const HEAD = `gateway:
  name: mcp
  listeners: [{ name: web, port: 8080, hostnames: [gw.test] }]
identities:
  sso: { type: jwt, issuer: "https://sso.test/", jwks: { url: "https://sso.test/jwks" } }
providers:
  gh: { type: mcp, url: "https://github.internal/v1/mcp", bearerToken: { env: GH_TOKEN } }
  docs: { type: mcp, url: "https://docs.internal:8443/mcp" }
`;

const compile = yamlCompiler(HEAD, { env: { GH_TOKEN: "gh-secret-never-printed" } });
const found = (result: Awaited<ReturnType<typeof compile>>) => result.diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.location?.line, d.location?.column]);

const API = `    resource: "https://gw.test/mcp/all"
    access: { allow: [{ identity: sso }] }
    tools: [{ tool: "github__*", access: { allow: [{ identity: sso }] } }]
`;

describe("a federated MCP endpoint", () => {
  it("compiles to an mcp_router for its path after the tool rules, and the servers' clusters with the processor that sets their credentials", async () => {
    const result = await compile(`mcp:
  - name: all
    path: /mcp/all
    servers: [{ server: gh, prefix: github }, { server: docs, prefix: docs }]
${API}`);
    expect(found(result)).toEqual([]);
    const api = result.ir!.mcp!.apis[0]!;
    expect(api.federation).toMatchObject([
      { prefix: "github", server: "gh", path: "/v1/mcp", hostHeader: "github.internal" },
      { prefix: "docs", server: "docs", path: "/mcp", hostHeader: "docs.internal:8443" },
    ]);
    expect(api.federation![0]!.bearerToken).toBeDefined();
    // The router answers before the route's action: if it ever did not, the route answers an error, never a server.
    expect(result.ir!.routes.find((r) => r.id === "@mcp.all")!.action).toMatchObject({ kind: "respond" });
    const rendered = renderByType(result.snapshot!);
    const listeners = rendered.get("listeners.yaml")!;
    const filters = [...listeners.matchAll(/^\s+- name: (envoy\.filters\.http\.[a-z_.]+)/gm)].map((m) => m[1]);
    expect(filters.slice(-3)).toEqual(["envoy.filters.http.rbac.mcp_tools", "envoy.filters.http.mcp_router.all", "envoy.filters.http.router"]);
    expect(listeners).toMatch(/name: github\n\s+mcp_cluster:\n\s+cluster: gh\n\s+path: \/v1\/mcp/);
    expect(listeners).toContain("exact: /mcp/all");
    expect(listeners).toContain("prefix: /mcp/all?");
    const clusters = rendered.get("clusters.yaml")!;
    expect(clusters.match(/envoy\.filters\.http\.ext_proc\.mcp_server/g)).toHaveLength(2);
    expect([...rendered.values()].join("\n")).not.toContain("gh-secret-never-printed");
  });

  it("refuses server and servers together or neither, a repeated prefix or server, and a server no provider defines, where they are written", async () => {
    const result = await compile(`mcp:
  - name: both
    path: /mcp/both
    server: gh
    servers: [{ server: docs, prefix: docs }]
${API}  - name: neither
    path: /mcp/neither
${API}  - name: twice
    path: /mcp/twice
    servers:
      - { server: gh, prefix: github }
      - { server: docs, prefix: github }
      - { server: gh, prefix: other }
${API}`);
    expect(found(result)).toEqual([
      ["PCL4136", 13, 14],
      ["PCL4136", 17, 5],
      ["PCL4137", 26, 33],
      ["PCL4138", 27, 19],
    ]);
    expect(result.snapshot).toBeUndefined();
    const unknown = await compile(`mcp:
  - name: unknown
    path: /mcp/unknown
    servers: [{ server: gh, prefix: github }, { server: nowhere, prefix: x }]
${API}`);
    expect(found(unknown)).toEqual([["PCL3001", 12, 57]]);
  });
});
