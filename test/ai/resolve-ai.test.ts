/**
 * The `ai` section and LLM providers at compile time: what resolves (routes, clusters, TLS to the
 * provider) and what is refused with a located finding instead of being accepted without effect.
 */
import { describe, expect, it } from "vitest";
import { renderByType } from "../../src/xds/render.ts";
import { AI_HEAD, APP_KEYS, yamlCompiler } from "../support/yaml-compile.ts";

const compile = yamlCompiler(AI_HEAD, { env: { APP_KEYS } });

/** code, severity and line of each finding (lines counted in the whole file, HEAD included). */
const found = (result: Awaited<ReturnType<typeof compile>>) => result.diagnostics.map((d) => [d.code, d.severity, d.location?.line]);

describe("the ai section", () => {
  it("compiles to AI routes under the access rules, provider clusters with TLS that checks the provider's name, and the processor's cluster", async () => {
    const result = await compile(`providers:
  oai: { type: openai, apiKey: { env: OPENAI_KEY } }
ai:
  access: { allow: [{ identity: apps }] }
  models:
    fast: { targets: [{ provider: oai, model: gpt-4o-mini }] }
`, { OPENAI_KEY: "sk-secret-never-printed" });
    expect(found(result)).toEqual([]);
    const ir = result.ir!;
    expect(ir.routes.filter((r) => r.ai).map((r) => [r.id, r.match.path, r.action.kind, r.access.kind])).toEqual([
      ["@ai.messages", "/ai/v1/anthropic/v1/messages", "ai-processor", "identities"],
      ["@ai.chat.oai", "/ai/v1/chat/completions", "forward", "identities"],
      ["@ai.chat", "/ai/v1/chat/completions", "ai-processor", "identities"],
      ["@ai.embeddings.oai", "/ai/v1/embeddings", "forward", "identities"],
      ["@ai.embeddings", "/ai/v1/embeddings", "ai-processor", "identities"],
      ["@ai.responses", "/ai/v1/responses", "ai-processor", "identities"],
      ["@ai.models", "/ai/v1/models", "ai-processor", "identities"],
    ]);
    expect(ir.clusters.find((c) => c.name === "oai")).toMatchObject({ discovery: "logical-dns", endpoints: [{ host: "api.openai.com", port: 443 }], tls: { sni: "api.openai.com", expectedSans: ["api.openai.com"] } });
    expect(ir.ai?.processor).toEqual({ address: { kind: "tcp", host: "127.0.0.1", port: 18001 }, cluster: "portcullis_ai_processor" });
    const rendered = [...renderByType(result.snapshot!).values()].join("\n");
    expect(rendered).toMatch(/name: portcullis_ai_processor\ntype: STATIC/);
    expect(rendered).toContain("prefix_rewrite: /v1/chat/completions");
    expect(rendered).not.toContain("sk-secret-never-printed");
  });

  it("compiles fallbacks, several targets, weights and a prompt API (more in test/ai/routing.test.ts and test/ai/prompts.test.ts)", async () => {
    const result = await compile(`providers:
  oai: { type: openai, apiKey: { env: K } }
ai:
  access: { allow: [{ identity: apps }] }
  models:
    fast:
      targets:
        - { provider: oai, model: gpt-4o-mini, weight: 2 }
        - { provider: oai, model: gpt-4o }
      fallbacks: [{ provider: oai, model: gpt-4o }]
prompts:
  - { name: sum, path: /prompts/sum, model: fast, template: "x", input: { type: object }, access: { allow: [{ identity: apps }] } }
`, { K: "k" });
    expect(found(result)).toEqual([]);
    expect(result.ir!.ai!.prompts.map((prompt) => prompt.path)).toEqual(["/prompts/sum"]);
  });

  it("requires a plaintext justification for an http provider, refuses one on https, and settings its type never reads", async () => {
    const result = await compile(`providers:
  local: { type: openai-compatible, baseUrl: "http://10.0.0.7:8000/v1" }
  oai: { type: openai, apiKey: { env: K }, plaintext: { reason: "not needed at all" }, region: eu-west-1 }
ai:
  access: { allow: [{ identity: apps }] }
  models:
    a: { targets: [{ provider: local, model: llama }] }
    b: { targets: [{ provider: oai, model: gpt-4o }] }
`, { K: "k" });
    expect(found(result)).toEqual(expect.arrayContaining([["PCL4045", "error", 7], ["PCL4049", "error", 8]]));
    expect(result.diagnostics.filter((d) => d.code === "PCL4049")).toHaveLength(2);
    const permissive = await compile(`zeroTrust: { mode: permissive }
providers:
  local: { type: openai-compatible, baseUrl: "http://10.0.0.7:8000/v1" }
ai:
  access: { allow: [{ identity: apps }] }
  models: { a: { targets: [{ provider: local, model: llama }] } }
`);
    expect(found(permissive)).toEqual([["PCL4045", "warning", 8], ["PCL4052", "warning", 11]]);
    expect(permissive.ir?.clusters.find((c) => c.name === "local")).toMatchObject({ discovery: "eds", endpoints: [{ host: "10.0.0.7", port: 8000 }] });
    expect(permissive.ir?.clusters.find((c) => c.name === "local")?.tls).toBeUndefined();
  });

  it("refuses a processor address beyond loopback, a model the provider's list does not allow, credentials in a baseUrl and a path an API takes", async () => {
    const result = await compile(`providers:
  oai: { type: openai, apiKey: { env: K }, models: [gpt-4o] }
  proxy: { type: openai-compatible, baseUrl: "https://llm.test/v1?key=hunter2pass" }
  svc: { type: service, endpoints: ["10.0.0.1:80"], plaintext: { reason: "unit test backend only" } }
apis:
  - name: clash
    owner: t
    basePath: /ai
    versioning: { by: header, header: v, default: one }
    versions: { one: { state: published, access: { public: { reason: "unit test route" } }, routes: [{ match: { path: /v1/models }, provider: svc }] } }
ai:
  access: { allow: [{ identity: apps }] }
  processor: { address: "10.1.2.3:18001" }
  models:
    a: { targets: [{ provider: oai, model: gpt-4o-mini }] }
    b: { targets: [{ provider: proxy, model: m }] }
`, { K: "k" });
    expect(found(result)).toEqual([["PCL4048", "error", 8], ["PCL4046", "error", 18], ["PCL4047", "error", 20], ["PCL4050", "error", 17]]);
    expect(JSON.stringify(result.diagnostics)).not.toContain("hunter2pass");
  });

  it("takes a unix socket for the processor, with a path a socket address can hold", async () => {
    const yaml = (address: string) => `providers:
  oai: { type: openai, apiKey: { env: K } }
ai:
  access: { allow: [{ identity: apps }] }
  processor: { address: "${address}" }
  models: { fast: { targets: [{ provider: oai, model: gpt-4o-mini }] } }
`;
    const socket = await compile(yaml("unix:/run/portcullis/ai.sock"), { K: "k" });
    expect(socket.ir?.ai?.processor.address).toEqual({ kind: "unix", path: "/run/portcullis/ai.sock" });
    expect([...renderByType(socket.snapshot!).values()].join("\n")).toContain("pipe:\n                path: /run/portcullis/ai.sock");
    expect(found(await compile(yaml(`unix:/${"d".repeat(120)}/ai.sock`), { K: "k" }))).toEqual([["PCL4046", "error", 10]]);
    expect(found(await compile(yaml("unix:relative.sock"), { K: "k" }))).toEqual([["PCL4046", "error", 10]]);
  });

  it("warns about LLM providers no alias uses and models the catalog cannot price", async () => {
    const result = await compile(`providers:
  oai: { type: openai, apiKey: { env: K } }
  spare: { type: anthropic, apiKey: { env: K } }
ai:
  access: { allow: [{ identity: apps }] }
  models:
    priced: { targets: [{ provider: oai, model: gpt-4o-mini }] }
    unknown: { targets: [{ provider: oai, model: gpt-house-special }] }
`, { K: "k" });
    expect(found(result)).toEqual([["PCL4051", "warning", 8], ["PCL4052", "warning", 13]]);
  });
});
