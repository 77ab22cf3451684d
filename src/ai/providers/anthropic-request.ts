/**
 * An OpenAI chat completion request → an Anthropic Messages request: system and developer
 * messages become `system`, images become image blocks, tool calls and their results become
 * tool_use and tool_result blocks, and OpenAI's knobs map to Anthropic's. Parameters Anthropic
 * has no equivalent for are refused with a 400 naming them, never dropped silently.
 */
import type { OpenAiError } from "../openai-errors.ts";
import type { ChatRequest, ChatTarget } from "./adapter.ts";
import { contentParts, contentText, functionTools, refuse, refuseUnmappable, stopSequences, toolCall, translating } from "./request-parts.ts";
import { isObject } from "./usage-fields.ts";

/** Anthropic requires max_tokens; this is sent when neither the client nor the alias names one. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;
export const ANTHROPIC_VERSION = "2023-06-01";

/** OpenAI parameters with no Anthropic meaning, and the value that means "not used". */
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

type Block = Record<string, unknown>;
type Message = { role: "user" | "assistant"; content: string | Block[] };

/** Message content as Anthropic content: text blocks, and image blocks (base64 or by URL). */
function content(value: unknown, param: string): string | Block[] {
  const parts = contentParts(value, param);
  if (typeof parts === "string") return parts;
  return parts.map((part) =>
    part.type === "text"
      ? { type: "text", text: part.text }
      : { type: "image", source: part.data ? { type: "base64", media_type: part.data.mediaType, data: part.data.base64 } : { type: "url", url: part.url } });
}

const toolUse = (call: unknown, param: string): Block => ({ type: "tool_use", ...toolCall(call, param) });

function messages(list: readonly unknown[]): { system: string[]; messages: Message[] } {
  const system: string[] = [];
  const out: Message[] = [];
  for (const [index, message] of list.entries()) {
    const param = `messages[${index}]`;
    if (!isObject(message)) return refuse("Each message must be an object.", param);
    const role = message["role"];
    if (role === "system" || role === "developer") system.push(contentText(message["content"], `${param}.content`));
    else if (role === "user") out.push({ role: "user", content: content(message["content"], `${param}.content`) });
    else if (role === "assistant") {
      const said = message["content"] === undefined || message["content"] === null ? [] : content(message["content"], `${param}.content`);
      const blocks = typeof said === "string" ? (said === "" ? [] : [{ type: "text", text: said }]) : said;
      const calls = Array.isArray(message["tool_calls"]) ? message["tool_calls"].map((call, i) => toolUse(call, `${param}.tool_calls[${i}]`)) : [];
      out.push({ role: "assistant", content: [...blocks, ...calls] });
    } else if (role === "tool") {
      const result = { type: "tool_result", tool_use_id: String(message["tool_call_id"] ?? ""), content: contentText(message["content"], `${param}.content`) };
      // Results of one turn's calls travel together in one user message.
      const last = out.at(-1);
      if (last?.role === "user" && Array.isArray(last.content) && last.content.every((block) => block["type"] === "tool_result")) last.content.push(result);
      else out.push({ role: "user", content: [result] });
    } else refuse(`Messages with role ${JSON.stringify(role)} are not supported.`, `${param}.role`);
  }
  return { system, messages: out };
}

function tools(chat: ChatRequest) {
  const list = functionTools(chat["tools"]);
  if (list === undefined) return {};
  const converted = list.map(({ parameters, ...tool }) => ({ ...tool, input_schema: parameters ?? { type: "object", properties: {} } }));
  const choice = chat["tool_choice"];
  const named = isObject(choice) && isObject(choice["function"]) ? { type: "tool", name: choice["function"]["name"] } : undefined;
  const mapped = named ?? (choice === "required" ? { type: "any" } : choice === "none" ? { type: "none" } : { type: "auto" });
  const serial = chat["parallel_tool_calls"] === false && mapped.type !== "none" ? { disable_parallel_tool_use: true } : {};
  return { tools: converted, ...(choice !== undefined || serial.disable_parallel_tool_use ? { tool_choice: { ...mapped, ...serial } } : {}) };
}

/** The Messages API body, or the 400 that says which parameter cannot be expressed. */
export function anthropicBody(chat: ChatRequest, target: ChatTarget): { readonly body: Record<string, unknown> } | { readonly error: OpenAiError } {
  return translating(() => {
    refuseUnmappable(chat, UNMAPPABLE);
    const converted = messages(chat.messages);
    const stop = stopSequences(chat["stop"]);
    const user = chat["user"];
    return {
      model: target.model,
      messages: converted.messages,
      ...(converted.system.length > 0 ? { system: converted.system.join("\n\n") } : {}),
      max_tokens: chat["max_completion_tokens"] ?? chat["max_tokens"] ?? target.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
      ...(chat["temperature"] !== undefined && chat["temperature"] !== null ? { temperature: chat["temperature"] } : {}),
      ...(chat["top_p"] !== undefined && chat["top_p"] !== null ? { top_p: chat["top_p"] } : {}),
      ...(stop ? { stop_sequences: stop } : {}),
      ...(typeof user === "string" ? { metadata: { user_id: user } } : {}),
      ...(chat.stream === true ? { stream: true } : {}),
      ...tools(chat),
    };
  });
}
