/** AWS Bedrock's Converse and ConverseStream behind the OpenAI chat completions API, each request signed (SigV4). */
import type { AiProviderIR } from "../../model/ir.ts";
import type { OpenAiError } from "../openai-errors.ts";
import type { ChatRequest, ChatTarget, NativeRequest, ProviderAdapter } from "./adapter.ts";
import { AWS_EVENT_STREAM, AwsEventStreamDecoder } from "./bedrock-event-stream.ts";
import { bedrockBody } from "./bedrock-request.ts";
import { bedrockCompletion, bedrockStream } from "./bedrock-response.ts";
import { signBedrockRequest } from "./bedrock-signing.ts";
import { upstreamPath } from "./upstream-path.ts";

function request(chat: ChatRequest, target: ChatTarget, _apiKey: string | undefined, provider: AiProviderIR): NativeRequest | OpenAiError {
  const translated = bedrockBody(chat, target);
  if ("error" in translated) return translated.error;
  const body = JSON.stringify(translated.body);
  const path = upstreamPath(provider, target.model, chat.stream === true)!;
  // Without credentials (only tests of other parts resolve such a provider) the request goes unsigned and Bedrock refuses it.
  return { headers: provider.aws ? signBedrockRequest(provider.aws, path, body) : {}, body, path };
}

export const bedrockAdapter: ProviderAdapter = {
  api: "bedrock",
  openAiShaped: false,
  request,
  body: bedrockCompletion,
  stream: bedrockStream,
  streamFormat: { contentType: AWS_EVENT_STREAM, decoder: () => new AwsEventStreamDecoder() },
};
