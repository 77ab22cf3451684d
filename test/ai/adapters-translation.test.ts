/**
 * Request translation of the adapters beyond the shared suite (test/ai/adapters.test.ts): what
 * each native format makes of system prompts, images, tools and their results, JSON mode and stop
 * sequences, what it refuses, and, for Bedrock, that the signature is the one AWS's own signer
 * (@smithy/signature-v4, which the AWS SDKs use) computes for the same request.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../src/ai/providers/adapter.ts";
import { azureOpenAiAdapter } from "../../src/ai/providers/azure-openai.ts";
import { bedrockAdapter } from "../../src/ai/providers/bedrock.ts";
import { geminiAdapter } from "../../src/ai/providers/gemini.ts";
import type { AiProviderIR } from "../../src/model/ir.ts";
import { SecretValue } from "../../src/model/secret-value.ts";

const secret = (text: string) => new SecretValue("env:K", new TextEncoder().encode(text));
const CONVERSATION = [
  { role: "developer", content: "rule one" },
  { role: "user", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] },
  { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: '{"a":1}' } }] },
  { role: "tool", tool_call_id: "t1", content: "one" },
];
const TOOLS = [{ type: "function", function: { name: "f", description: "d", parameters: { type: "object" } } }];

function translate(adapter: typeof geminiAdapter, provider: AiProviderIR, request: Record<string, unknown>) {
  const native = adapter.request({ model: "alias", messages: [{ role: "user", content: "hi" }], ...request } as ChatRequest, { model: "m" }, "k", provider);
  return "status" in native ? native : { ...native, json: JSON.parse(native.body) };
}

describe("Gemini request translation", () => {
  const gemini = { name: "g", type: "gemini", api: "gemini", cluster: "g" } as const;

  it("maps system instructions, turns, inline images, tools, tool results, JSON mode and generation settings", () => {
    const native = translate(geminiAdapter, gemini, {
      messages: CONVERSATION,
      tools: TOOLS,
      tool_choice: { type: "function", function: { name: "f" } },
      stop: "END",
      temperature: 0.3,
      max_tokens: 9,
      response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } },
      stream: true,
    });
    expect(native).toMatchObject({ path: "/v1beta/models/m:streamGenerateContent?alt=sse", headers: { "x-goog-api-key": "k" } });
    expect("json" in native && native.json).toEqual({
      systemInstruction: { parts: [{ text: "rule one" }] },
      contents: [
        { role: "user", parts: [{ text: "look" }, { inlineData: { mimeType: "image/png", data: "AAAA" } }] },
        { role: "model", parts: [{ functionCall: { id: "t1", name: "f", args: { a: 1 } } }] },
        { role: "user", parts: [{ functionResponse: { id: "t1", name: "f", response: { result: "one" } } }] },
      ],
      generationConfig: { temperature: 0.3, maxOutputTokens: 9, stopSequences: ["END"], responseMimeType: "application/json", responseJsonSchema: { type: "object" } },
      tools: [{ functionDeclarations: [{ name: "f", description: "d", parametersJsonSchema: { type: "object" } }] }],
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["f"] } },
    });
  });

  it("refuses image URLs it cannot fetch and tool results without their call, naming the parameter", () => {
    expect(translate(geminiAdapter, gemini, { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }] })).toMatchObject({ status: 400, param: "messages[0].content[0].image_url.url" });
    expect(translate(geminiAdapter, gemini, { messages: [{ role: "tool", tool_call_id: "nope", content: "x" }] })).toMatchObject({ status: 400, param: "messages[0].tool_call_id" });
    expect(translate(geminiAdapter, gemini, { logit_bias: { 1: 2 } })).toMatchObject({ status: 400, param: "logit_bias" });
  });
});

describe("Azure OpenAI request translation", () => {
  it("sends a model to its deployment with the api-version, and the key as api-key", () => {
    const azure = { name: "a", type: "azure-openai", api: "azure-openai", cluster: "a", azure: { apiVersion: "2025-01-01-preview", deployments: { m: "prod-m" } } } as const;
    expect(translate(azureOpenAiAdapter, azure, {})).toMatchObject({ path: "/openai/deployments/prod-m/chat/completions?api-version=2025-01-01-preview", headers: { "api-key": "k" } });
  });
});

describe("Bedrock request translation", () => {
  const aws = { region: "eu-west-3", host: "bedrock-runtime.eu-west-3.amazonaws.com", pathPrefix: "", accessKeyId: secret("AKIDEXAMPLE"), secretAccessKey: secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), sessionToken: secret("session-token") };
  const bedrock = { name: "b", type: "bedrock", api: "bedrock", cluster: "b", aws } as const;

  it("maps system blocks, images, tool use and results, tool choice and inference settings", () => {
    const native = translate(bedrockAdapter, bedrock, { messages: CONVERSATION, tools: TOOLS, tool_choice: "required", stop: ["END"], top_p: 0.5 });
    expect(native).toMatchObject({ path: "/model/m/converse" });
    expect("json" in native && native.json).toEqual({
      system: [{ text: "rule one" }],
      messages: [
        { role: "user", content: [{ text: "look" }, { image: { format: "png", source: { bytes: "AAAA" } } }] },
        { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "f", input: { a: 1 } } }] },
        { role: "user", content: [{ toolResult: { toolUseId: "t1", content: [{ text: "one" }] } }] },
      ],
      inferenceConfig: { topP: 0.5, stopSequences: ["END"] },
      toolConfig: { tools: [{ toolSpec: { name: "f", description: "d", inputSchema: { json: { type: "object" } } } }], toolChoice: { any: {} } },
    });
  });

  it("refuses JSON mode and several choices, which Converse cannot express", () => {
    expect(translate(bedrockAdapter, bedrock, { response_format: { type: "json_object" } })).toMatchObject({ status: 400, param: "response_format" });
    expect(translate(bedrockAdapter, bedrock, { n: 2 })).toMatchObject({ status: 400, param: "n" });
  });

  it("signs what @smithy/signature-v4 signs for the same request: Host, encoded model path, body, date and session token", async () => {
    const model = "anthropic.claude-3-5-haiku-20241022-v1:0";
    const native = bedrockAdapter.request({ model: "alias", messages: [{ role: "user", content: "hi" }], stream: true }, { model }, undefined, bedrock);
    if ("status" in native) throw new Error(native.message);
    expect(native.path).toBe("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream");
    const signer = new SignatureV4({ service: "bedrock", region: "eu-west-3", sha256: Sha256, applyChecksum: false, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "session-token" } });
    const { authorization, ...rest } = native.headers;
    const date = rest["x-amz-date"]!;
    const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
    const expected = await signer.sign({ method: "POST", protocol: "https:", hostname: aws.host, path: native.path!, query: {}, headers: { ...rest, host: aws.host }, body: native.body }, { signingDate });
    expect(rest["x-amz-security-token"]).toBe("session-token");
    expect(authorization).toBe(expected.headers["authorization"]);
  });
});
