/**
 * The fake Gemini, Azure OpenAI and Bedrock providers, each driven by its vendor's official client
 * (`@google/genai`, the `openai` package's AzureOpenAI, `@aws-sdk/client-bedrock-runtime`): the
 * clients parse their answers, streams and errors, so the fakes speak the real wire formats.
 */
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, ThrottlingException, ValidationException } from "@aws-sdk/client-bedrock-runtime";
import { ApiError, GoogleGenAI } from "@google/genai";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import OpenAI, { AzureOpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAzureOpenAi, startFakeAzureOpenAi } from "../support/fake-providers/azure-openai.ts";
import { type FakeBedrock, startFakeBedrock } from "../support/fake-providers/bedrock.ts";
import { type FakeGemini, startFakeGemini } from "../support/fake-providers/gemini.ts";

let gemini: FakeGemini;
let azure: FakeAzureOpenAi;
let bedrock: FakeBedrock;
const AWS = { accessKeyId: "AKIDFAKEBEDROCK", secretAccessKey: "fake/secret+key" };

beforeAll(async () => {
  gemini = await startFakeGemini({ apiKey: "AIza-fake-gemini", models: ["gemini-2.5-flash", "gemini-embedding-001"] });
  azure = await startFakeAzureOpenAi({ apiKey: "fake-azure-key", deployments: { "prod-mini": "gpt-4o-mini" } });
  bedrock = await startFakeBedrock({ ...AWS, region: "us-east-1" });
});

afterAll(async () => {
  await gemini?.close();
  await azure?.close();
  await bedrock?.close();
});

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe("the fake Gemini, through the official @google/genai client", () => {
  const client = (apiKey = "AIza-fake-gemini") => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: gemini.origin } });

  it("answers generateContent with usage, cut at stop sequences and maxOutputTokens, and in JSON mode", async () => {
    const answer = await client().models.generateContent({ model: "gemini-2.5-flash", contents: "hello there", config: { systemInstruction: "be brief" } });
    expect(answer.text).toBe("Echo: hello there");
    expect(answer.usageMetadata?.candidatesTokenCount).toBe(3);
    const seen = gemini.requests.at(-1)!;
    expect(seen.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(seen.json).toEqual({ contents: [{ role: "user", parts: [{ text: "hello there" }] }], systemInstruction: { role: "user", parts: [{ text: "be brief" }] }, generationConfig: {} });
    const stopped = await client().models.generateContent({ model: "gemini-2.5-flash", contents: "hello there", config: { stopSequences: ["there"] } });
    expect(stopped.text).toBe("Echo: hello ");
    const cut = await client().models.generateContent({ model: "gemini-2.5-flash", contents: "hello there", config: { maxOutputTokens: 1 } });
    expect(cut.candidates?.[0]?.finishReason).toBe("MAX_TOKENS");
    const json = await client().models.generateContent({ model: "gemini-2.5-flash", contents: "x", config: { responseMimeType: "application/json" } });
    expect(JSON.parse(json.text!)).toEqual({ echo: "x" });
  });

  it("streams server-sent events (alt=sse) that the client reads chunk by chunk", async () => {
    const chunks = await collect(await client().models.generateContentStream({ model: "gemini-2.5-flash", contents: "one two" }));
    expect(chunks.map((c) => c.text ?? "").join("")).toBe("Echo: one two");
    expect(chunks.at(-1)?.usageMetadata?.candidatesTokenCount).toBe(3);
    expect(gemini.requests.at(-1)!.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  });

  it("calls functions, plain and streamed, and takes their results", async () => {
    const tools = [{ functionDeclarations: [{ name: "get_weather", parametersJsonSchema: { type: "object", properties: { city: { type: "string" } } } }] }];
    const answer = await client().models.generateContent({ model: "gemini-2.5-flash", contents: "weather?", config: { tools } });
    expect(answer.functionCalls?.[0]).toMatchObject({ name: "get_weather", args: { city: "Paris" } });
    const streamed = await collect(await client().models.generateContentStream({ model: "gemini-2.5-flash", contents: "weather?", config: { tools } }));
    expect(streamed.flatMap((c) => c.functionCalls ?? [])[0]).toMatchObject({ name: "get_weather" });
    const followUp = await client().models.generateContent({
      model: "gemini-2.5-flash",
      contents: [
        { role: "user", parts: [{ text: "weather?" }] },
        { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }] },
        { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { result: "sunny" } } }] },
      ],
      config: { tools },
    });
    expect(followUp.text).toBe("Echo: weather?");
  });

  it("embeds several texts in one batchEmbedContents call", async () => {
    const answer = await client().models.embedContent({ model: "gemini-embedding-001", contents: ["one", "two"], config: { outputDimensionality: 4 } });
    expect(answer.embeddings?.map((e) => e.values?.length)).toEqual([4, 4]);
    expect(gemini.requests.at(-1)!.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
  });

  it("raises the client's errors with Google's statuses", async () => {
    await expect(client().models.generateContent({ model: "gemini-nope", contents: "x" })).rejects.toMatchObject({ status: 404 });
    await expect(client("wrong").models.generateContent({ model: "gemini-2.5-flash", contents: "x" })).rejects.toBeInstanceOf(ApiError);
    gemini.failNext(429, { error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" } });
    await expect(client().models.generateContent({ model: "gemini-2.5-flash", contents: "x" })).rejects.toMatchObject({ status: 429 });
  });
});

describe("the fake Azure OpenAI, through the official openai package's AzureOpenAI client", () => {
  const client = (apiKey = "fake-azure-key") => new AzureOpenAI({ apiKey, endpoint: azure.origin, apiVersion: "2024-10-21", deployment: "prod-mini", maxRetries: 0 });

  it("answers at the deployment's path with the api-version, taking the key as api-key", async () => {
    const completion = await client().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello there" }] });
    expect(completion.choices[0]?.message.content).toBe("Echo: hello there");
    const seen = azure.requests.at(-1)!;
    expect(seen.path).toBe("/openai/deployments/prod-mini/chat/completions?api-version=2024-10-21");
    expect(seen.headers["api-key"]).toBe("fake-azure-key");
  });

  it("streams, the first chunk holding only the prompt filter results as Azure's does", async () => {
    const chunks = await collect(await client().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "one two" }], stream: true, stream_options: { include_usage: true } }));
    expect(chunks[0]?.choices).toEqual([]);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: one two");
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(3);
  });

  it("embeds at the deployment's embeddings path", async () => {
    const answer = await client().embeddings.create({ model: "text-embedding-3-small", input: ["one", "two"] });
    expect(answer.data.map((d) => d.embedding.length)).toEqual([8, 8]);
    expect(azure.requests.at(-1)!.path).toBe("/openai/deployments/prod-mini/embeddings?api-version=2024-10-21");
  });

  it("raises the client's typed errors", async () => {
    await expect(client("wrong").chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const missing = new AzureOpenAI({ apiKey: "fake-azure-key", endpoint: azure.origin, apiVersion: "2024-10-21", deployment: "nope", maxRetries: 0 });
    await expect(missing.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe("the fake Bedrock, through the official @aws-sdk/client-bedrock-runtime", () => {
  // The SDK's default handler speaks HTTP/2 (for bidirectional streams); Converse and ConverseStream are HTTP/1.1 requests too.
  const client = (credentials = AWS) => new BedrockRuntimeClient({ region: "us-east-1", endpoint: bedrock.origin, credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
  const MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";

  it("answers Converse with usage, verifying the SDK's SigV4 signature", async () => {
    const answer = await client().send(new ConverseCommand({ modelId: MODEL, system: [{ text: "be brief" }], messages: [{ role: "user", content: [{ text: "hello there" }] }], inferenceConfig: { maxTokens: 100 } }));
    expect(answer.output?.message?.content?.[0]?.text).toBe("Echo: hello there");
    expect(answer.stopReason).toBe("end_turn");
    expect(answer.usage?.outputTokens).toBe(3);
    expect(bedrock.requests.at(-1)!.path).toBe("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse");
    const stopped = await client().send(new ConverseCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "hello there" }] }], inferenceConfig: { stopSequences: ["there"] } }));
    expect(stopped.stopReason).toBe("stop_sequence");
  });

  it("streams ConverseStream as AWS event-stream frames the SDK decodes", async () => {
    const answer = await client().send(new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "one two" }] }] }));
    const events = await collect(answer.stream!);
    expect(events.map((e) => e.contentBlockDelta?.delta?.text ?? "").join("")).toBe("Echo: one two");
    expect(events.find((e) => e.messageStop)?.messageStop?.stopReason).toBe("end_turn");
    expect(events.find((e) => e.metadata)?.metadata?.usage?.outputTokens).toBe(3);
  });

  it("uses tools, plain and streamed", async () => {
    const toolConfig = { tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } } } }] };
    const answer = await client().send(new ConverseCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "weather?" }] }], toolConfig }));
    expect(answer.stopReason).toBe("tool_use");
    expect(answer.output?.message?.content?.find((b) => b.toolUse)?.toolUse).toMatchObject({ name: "get_weather", input: { city: "Paris" } });
    const streamed = await collect((await client().send(new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "weather?" }] }], toolConfig }))).stream!);
    expect(streamed.find((e) => e.contentBlockStart?.start?.toolUse)?.contentBlockStart?.start?.toolUse?.name).toBe("get_weather");
    expect(streamed.map((e) => e.contentBlockDelta?.delta?.toolUse?.input ?? "").join("")).toBe('{"city":"Paris"}');
  });

  it("refuses a wrong signature and raises the SDK's typed exceptions", async () => {
    await expect(client({ ...AWS, secretAccessKey: "wrong" }).send(new ConverseCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "x" }] }] }))).rejects.toMatchObject({ name: "InvalidSignatureException", $metadata: { httpStatusCode: 403 } });
    await expect(client().send(new ConverseCommand({ modelId: MODEL, messages: [] }))).rejects.toBeInstanceOf(ValidationException);
    bedrock.failNext(429, "ThrottlingException", "Too many requests, please wait before trying again.");
    await expect(client().send(new ConverseCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "x" }] }] }))).rejects.toBeInstanceOf(ThrottlingException);
  });
});
