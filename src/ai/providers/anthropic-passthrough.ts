/**
 * Anthropic's own Messages API through the gateway (`{basePath}/anthropic/v1/messages`), for
 * clients such as `@anthropic-ai/sdk`: the request goes to an Anthropic provider as the client
 * wrote it, with the alias's model, the gateway's key and the client's API version and betas;
 * answers, streamed or not, pass unchanged and are read for their usage. Credentials, budgets and
 * usage records are those of the OpenAI-compatible API.
 */
import { formatSse } from "../sse.ts";
import type { ProviderAdapter, StreamTranslator, Usage } from "./adapter.ts";
import { ANTHROPIC_VERSION } from "./anthropic-request.ts";
import { anthropicUsage } from "./anthropic-response.ts";
import { eventData } from "./openai-shapes.ts";
import { isObject } from "./usage-fields.ts";

/** The client's headers that shape what Anthropic does with the request (its API version and betas). */
export interface AnthropicClientHeaders {
  readonly version?: string;
  readonly beta?: string;
}

function stream(): StreamTranslator {
  let usage: Usage | undefined;
  return {
    event(event) {
      const data = eventData(event);
      if (data?.["type"] === "message_start" && isObject(data["message"])) usage = anthropicUsage(data["message"]["usage"]);
      if (data?.["type"] === "message_delta") usage = anthropicUsage(data["usage"], usage);
      // Every event goes on as it came.
      return formatSse(event.data, event.event);
    },
    end: () => "",
    usage: () => usage,
  };
}

export function anthropicPassthroughAdapter(client: AnthropicClientHeaders): ProviderAdapter {
  return {
    api: "anthropic",
    // Not OpenAI's shape, but the client's own: whole answers pass unchanged, as for OpenAI.
    openAiShaped: true,
    request: (request, target, apiKey) => ({
      headers: { ...(apiKey ? { "x-api-key": apiKey } : {}), "anthropic-version": client.version ?? ANTHROPIC_VERSION, ...(client.beta ? { "anthropic-beta": client.beta } : {}) },
      body: JSON.stringify({ ...request, model: target.model }),
    }),
    body: (status, body) => {
      const usage = status < 400 && isObject(body) && body["type"] === "message" ? anthropicUsage(body["usage"]) : undefined;
      return { body, ...(usage ? { usage } : {}) };
    },
    stream,
  };
}
