/**
 * Gemini, Azure OpenAI and Bedrock providers at compile time: one provider route per upstream
 * path their models take (selected by the path header the processor sets), the vendor's host with
 * TLS that checks its name, signing inputs for Bedrock, and the settings each type refuses.
 */
import { describe, expect, it } from "vitest";
import { renderByType } from "../../src/xds/render.ts";
import { AI_HEAD, APP_KEYS, yamlCompiler } from "../support/yaml-compile.ts";

const ENV = { APP_KEYS, K: "provider-key-never-printed", AWS_ID: "AKIDNEVERPRINTED", AWS_SECRET: "aws-secret-never-printed" };

const compile = yamlCompiler(AI_HEAD, { env: ENV });
const found = (result: Awaited<ReturnType<typeof compile>>) => result.diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.location?.line]);

describe("gemini, azure-openai and bedrock providers", () => {
  it("route each model's upstream path, reach the vendor's host over checked TLS, and keep every credential out of the output", async () => {
    const result = await compile(`providers:
  gem: { type: gemini, apiKey: { env: K } }
  az: { type: azure-openai, baseUrl: "https://acme.openai.azure.com", apiKey: { env: K }, apiVersion: "2025-01-01-preview", deployments: { gpt-4o-mini: prod-mini } }
  br: { type: bedrock, region: eu-west-3, awsCredentials: { accessKeyId: { env: AWS_ID }, secretAccessKey: { env: AWS_SECRET } } }
ai:
  access: { allow: [{ identity: apps }] }
  models:
    g: { targets: [{ provider: gem, model: gemini-2.5-flash }] }
    a: { targets: [{ provider: az, model: gpt-4o-mini }] }
    b: { targets: [{ provider: br, model: "anthropic.claude-3-5-haiku-20241022-v1:0" }], maxTokens: 100 }
`);
    expect(found(result)).toEqual([]);
    const ir = result.ir!;
    const routes = ir.routes.filter((r) => r.ai?.provider && r.ai.endpoint === "chat").map((r) => [r.id, r.match.headers.map((h) => h.value).join(" "), r.action.kind === "forward" ? r.action.rewrite : undefined]);
    expect(routes).toEqual(expect.arrayContaining([
      ["@ai.chat.gem.0", "gem /v1beta/models/gemini-2.5-flash:generateContent", { prefix: "/v1beta/models/gemini-2.5-flash:generateContent", host: "generativelanguage.googleapis.com" }],
      ["@ai.chat.gem.1", "gem /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", { prefix: "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", host: "generativelanguage.googleapis.com" }],
      ["@ai.chat.az.0", "az /openai/deployments/prod-mini/chat/completions?api-version=2025-01-01-preview", { prefix: "/openai/deployments/prod-mini/chat/completions?api-version=2025-01-01-preview", host: "acme.openai.azure.com" }],
      ["@ai.chat.br.0", "br /model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse", { prefix: "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse", host: "bedrock-runtime.eu-west-3.amazonaws.com" }],
      ["@ai.chat.br.1", "br /model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream", { prefix: "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream", host: "bedrock-runtime.eu-west-3.amazonaws.com" }],
    ]));
    expect(routes).toHaveLength(5);
    // Embeddings: Azure at the deployment's path, Gemini's batchEmbedContents; Bedrock Converse has no embeddings endpoint.
    const embeddings = ir.routes.filter((r) => r.ai?.provider && r.ai.endpoint === "embeddings").map((r) => [r.id, r.action.kind === "forward" ? r.action.rewrite?.prefix : undefined]);
    expect(embeddings).toEqual(expect.arrayContaining([
      ["@ai.embeddings.az.0", "/openai/deployments/prod-mini/embeddings?api-version=2025-01-01-preview"],
      ["@ai.embeddings.gem.0", "/v1beta/models/gemini-2.5-flash:batchEmbedContents"],
    ]));
    expect(embeddings).toHaveLength(2);
    expect(ir.clusters.find((c) => c.name === "br")).toMatchObject({ endpoints: [{ host: "bedrock-runtime.eu-west-3.amazonaws.com", port: 443 }], tls: { sni: "bedrock-runtime.eu-west-3.amazonaws.com", expectedSans: ["bedrock-runtime.eu-west-3.amazonaws.com"] } });
    expect(ir.clusters.find((c) => c.name === "gem")).toMatchObject({ tls: { sni: "generativelanguage.googleapis.com" } });
    expect(ir.ai?.providers.find((p) => p.name === "br")?.aws).toMatchObject({ region: "eu-west-3", host: "bedrock-runtime.eu-west-3.amazonaws.com", pathPrefix: "" });
    const rendered = [...renderByType(result.snapshot!).values()].join("\n");
    for (const value of [ENV.K, ENV.AWS_ID, ENV.AWS_SECRET]) expect(rendered).not.toContain(value);
    expect(rendered).toContain("x-portcullis-ai-path");
  });

  it("refuses an apiKey on bedrock, and deployments or apiVersion on other types, where they are written", async () => {
    const result = await compile(`providers:
  br: { type: bedrock, region: us-east-1, apiKey: { env: K }, awsCredentials: { accessKeyId: { env: AWS_ID }, secretAccessKey: { env: AWS_SECRET } } }
  gem: { type: gemini, apiKey: { env: K }, deployments: { a: b } }
ai:
  access: { allow: [{ identity: apps }] }
  models:
    b: { targets: [{ provider: br, model: amazon.nova-lite-v1:0 }] }
    g: { targets: [{ provider: gem, model: gemini-2.5-flash }] }
`);
    expect(found(result)).toEqual(expect.arrayContaining([["PCL4160", 7], ["PCL4049", 8]]));
    expect(result.snapshot).toBeUndefined();
  });
});
