/**
 * A fake Azure OpenAI resource on 127.0.0.1, faithful to what the official `openai` package's
 * AzureOpenAI client speaks: chat completions (and embeddings) at `/openai/deployments/{deployment}/chat/completions`
 * with a required `api-version` query, the key in `api-key`, OpenAI's bodies and chunks plus
 * Azure's content filter results (a stream's first chunk holds only the prompt's), and Azure's
 * error bodies. Answers are the fake OpenAI's (echoes); every request is recorded.
 * test/ai/fake-providers-more.test.ts drives it with AzureOpenAI.
 */
import type { ServerResponse } from "node:http";
import { type Chat, completion, streamEvents } from "./openai.ts";
import { type FakeServer, openAiEmbeddings, type RecordedRequest, sendEvents, sendJson, startFakeServer } from "./server.ts";

export interface FakeAzureOpenAi extends FakeServer {
  failNext(status: number, body: unknown): void;
}

const API_VERSIONS = ["2024-06-01", "2024-10-21", "2025-01-01-preview", "2025-04-01-preview"];
const FILTERS = { hate: { filtered: false, severity: "safe" }, self_harm: { filtered: false, severity: "safe" }, sexual: { filtered: false, severity: "safe" }, violence: { filtered: false, severity: "safe" } };
const PROMPT_FILTERS = [{ prompt_index: 0, content_filter_results: FILTERS }];
const PATH = /^\/openai\/deployments\/([^/?]+)\/(chat\/completions|embeddings)(?:\?(.*))?$/;
const azureError = (code: string, message: string) => ({ error: { code, message } });

/** Azure's stream: the prompt filter chunk first, then OpenAI's chunks, each choice with its filter results. */
function azureEvents(chat: Chat, id: string): string[] {
  const first = `data: ${JSON.stringify({ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: PROMPT_FILTERS })}\n\n`;
  const events = streamEvents(chat, id).map((event) => {
    if (event === "data: [DONE]\n\n") return event;
    const chunk = JSON.parse(event.slice("data: ".length));
    chunk.choices = chunk.choices.map((choice: object) => ({ ...choice, content_filter_results: {} }));
    return `data: ${JSON.stringify(chunk)}\n\n`;
  });
  return [first, ...events];
}

/** `deployments`: deployment name → the model it serves. */
export async function startFakeAzureOpenAi(options: { apiKey: string; deployments: Record<string, string> }): Promise<FakeAzureOpenAi> {
  const failures: { status: number; body: unknown }[] = [];
  let count = 0;

  async function handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    if (request.headers["api-key"] !== options.apiKey) {
      return sendJson(res, 401, azureError("401", "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."));
    }
    const match = PATH.exec(request.path);
    if (request.method !== "POST" || !match) return sendJson(res, 404, azureError("404", "Resource not found"));
    const version = new URLSearchParams(match[3] ?? "").get("api-version");
    if (!version) return sendJson(res, 404, azureError("404", "Resource not found"));
    if (!API_VERSIONS.includes(version)) return sendJson(res, 400, azureError("BadRequest", "API version not supported"));
    const model = options.deployments[decodeURIComponent(match[1]!)];
    if (!model) return sendJson(res, 404, azureError("DeploymentNotFound", "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."));
    const failure = failures.shift();
    if (failure) return sendJson(res, failure.status, failure.body);
    if (match[2] === "embeddings") {
      const body = request.json as { input?: unknown; encoding_format?: unknown } | undefined;
      return sendJson(res, 200, openAiEmbeddings(body?.input, model, body?.encoding_format));
    }
    const chat = request.json as Chat | undefined;
    if (!chat || !Array.isArray(chat.messages) || chat.messages.length === 0) return sendJson(res, 400, { error: { message: "'messages' is a required property", type: "invalid_request_error", param: null, code: null } });
    const id = `chatcmpl-azure${++count}`;
    // The deployment decides the model, whatever the body names.
    const served = { ...chat, model };
    if (chat.stream) return sendEvents(res, azureEvents(served, id), { "apim-request-id": `fake-${count}` });
    const answer = completion(served, id);
    return sendJson(res, 200, { ...answer, choices: answer.choices.map((choice) => ({ ...choice, content_filter_results: FILTERS })), prompt_filter_results: PROMPT_FILTERS }, { "apim-request-id": `fake-${count}` });
  }

  const server = await startFakeServer(handle);
  return { ...server, failNext: (status, body) => void failures.push({ status, body }) };
}
