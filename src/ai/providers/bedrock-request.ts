/**
 * An OpenAI chat completion request → a Bedrock Converse request: system and developer messages
 * become `system` blocks, images become image blocks (bytes as base64), tool calls and their
 * results become toolUse and toolResult blocks, and max tokens, temperature, top_p and stop
 * sequences go into `inferenceConfig`. Converse has no JSON mode and no several choices: such
 * requests are refused with a 400 naming the parameter.
 */
import type { OpenAiError } from "../openai-errors.ts";
import type { ChatRequest, ChatTarget } from "./adapter.ts";
import { contentParts, contentText, functionTools, refuse, refuseUnmappable, stopSequences, toolCall, translating } from "./request-parts.ts";
import { isObject } from "./usage-fields.ts";

type Block = Record<string, unknown>;
type Message = { role: "user" | "assistant"; content: Block[] };

const UNMAPPABLE: Readonly<Record<string, (value: unknown) => boolean>> = {
  n: (value) => value === 1,
  logprobs: (value) => value === false,
  top_logprobs: () => false,
  logit_bias: () => false,
  presence_penalty: (value) => value === 0,
  frequency_penalty: (value) => value === 0,
  seed: () => false,
  audio: () => false,
  modalities: () => false,
  prediction: () => false,
  response_format: (value) => isObject(value) && value["type"] === "text",
};

const IMAGE_FORMATS: Readonly<Record<string, string>> = { "image/png": "png", "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/gif": "gif", "image/webp": "webp" };

function blocks(value: unknown, param: string): Block[] {
  const parts = contentParts(value, param);
  if (typeof parts === "string") return parts === "" ? [] : [{ text: parts }];
  return parts.map((part, index) => {
    if (part.type === "text") return { text: part.text };
    const format = part.data ? IMAGE_FORMATS[part.data.mediaType] : undefined;
    if (!part.data || !format) return refuse("Bedrock takes images inline as PNG, JPEG, GIF or WebP: send a data: URL (data:image/png;base64,...).", `${param}[${index}].image_url.url`);
    return { image: { format, source: { bytes: part.data.base64 } } };
  });
}

function messages(list: readonly unknown[]): { system: Block[]; messages: Message[] } {
  const system: Block[] = [];
  const out: Message[] = [];
  const push = (role: Message["role"], content: Block[]) => {
    const last = out.at(-1);
    // Converse wants turns to alternate; consecutive messages of one side become one turn.
    if (last?.role === role) last.content.push(...content);
    else out.push({ role, content });
  };
  for (const [index, message] of list.entries()) {
    const param = `messages[${index}]`;
    if (!isObject(message)) return refuse("Each message must be an object.", param);
    const role = message["role"];
    if (role === "system" || role === "developer") system.push({ text: contentText(message["content"], `${param}.content`) });
    else if (role === "user") push("user", blocks(message["content"], `${param}.content`));
    else if (role === "assistant") {
      const said = message["content"] === undefined || message["content"] === null ? [] : blocks(message["content"], `${param}.content`);
      const calls = (Array.isArray(message["tool_calls"]) ? message["tool_calls"] : []).map((call, i) => {
        const { id, name, input } = toolCall(call, `${param}.tool_calls[${i}]`);
        return { toolUse: { toolUseId: id, name, input } };
      });
      push("assistant", [...said, ...calls]);
    } else if (role === "tool") {
      push("user", [{ toolResult: { toolUseId: String(message["tool_call_id"] ?? ""), content: [{ text: contentText(message["content"], `${param}.content`) }] } }]);
    } else refuse(`Messages with role ${JSON.stringify(role)} are not supported.`, `${param}.role`);
  }
  return { system, messages: out };
}

function toolConfig(chat: ChatRequest) {
  const list = functionTools(chat["tools"]);
  const choice = chat["tool_choice"];
  // Converse has no "none": a request that forbids tools is sent without them.
  if (list === undefined || list.length === 0 || choice === "none") return {};
  const named = isObject(choice) && isObject(choice["function"]) ? { tool: { name: choice["function"]["name"] } } : undefined;
  const toolChoice = named ?? (choice === "required" ? { any: {} } : choice === "auto" ? { auto: {} } : undefined);
  return {
    toolConfig: {
      tools: list.map(({ parameters, ...tool }) => ({ toolSpec: { ...tool, inputSchema: { json: parameters ?? { type: "object", properties: {} } } } })),
      ...(toolChoice ? { toolChoice } : {}),
    },
  };
}

const defined = (entries: Record<string, unknown>) => Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined && value !== null));

/** The Converse body (the model and streaming are in the path), or the 400 naming what Converse cannot express. */
export function bedrockBody(chat: ChatRequest, target: ChatTarget): { readonly body: Record<string, unknown> } | { readonly error: OpenAiError } {
  return translating(() => {
    refuseUnmappable(chat, UNMAPPABLE);
    const converted = messages(chat.messages);
    const inferenceConfig = defined({
      maxTokens: chat["max_completion_tokens"] ?? chat["max_tokens"] ?? target.maxTokens,
      temperature: chat["temperature"],
      topP: chat["top_p"],
      stopSequences: stopSequences(chat["stop"]),
    });
    return {
      messages: converted.messages,
      ...(converted.system.length > 0 ? { system: converted.system } : {}),
      ...(Object.keys(inferenceConfig).length > 0 ? { inferenceConfig } : {}),
      ...toolConfig(chat),
    };
  });
}
