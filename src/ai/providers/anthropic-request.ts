/**
 * An OpenAI chat completion request → an Anthropic Messages request: system and developer
 * messages become `system`, images become image blocks, tool calls and their results become
 * tool_use and tool_result blocks, and OpenAI's knobs map to Anthropic's. Parameters Anthropic
 * has no equivalent for are refused with a 400 naming them, never dropped silently.
 */
import { invalidRequest, type OpenAiError } from "../openai-errors.ts";
import type { ChatRequest, ChatTarget } from "./adapter.ts";
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

class Refusal extends Error {
  readonly error: OpenAiError;
  constructor(error: OpenAiError) {
    super(error.message);
    this.error = error;
  }
}
const refuse = (message: string, param: string): never => {
  throw new Refusal(invalidRequest(message, param));
};

function image(part: Record<string, unknown>, param: string): Block {
  const url = isObject(part["image_url"]) ? part["image_url"]["url"] : undefined;
  if (typeof url !== "string") return refuse("An image_url part needs image_url.url.", param);
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return { type: "image", source: data ? { type: "base64", media_type: data[1], data: data[2] } : { type: "url", url } };
}

/** Message content (a string, or a list of text and image parts) as Anthropic content. */
function content(value: unknown, param: string): string | Block[] {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return refuse("Message content must be a string or a list of parts.", param);
  return value.map((part, index) => {
    if (!isObject(part)) return refuse("Content parts must be objects.", `${param}[${index}]`);
    if (part["type"] === "text") return { type: "text", text: String(part["text"] ?? "") };
    if (part["type"] === "image_url") return image(part, `${param}[${index}]`);
    return refuse(`Content parts of type ${JSON.stringify(part["type"])} are not supported for this model.`, `${param}[${index}]`);
  });
}

/** Text of a system message or tool result (Anthropic takes plain text there). */
function text(value: unknown, param: string): string {
  const converted = content(value, param);
  return typeof converted === "string" ? converted : converted.map((block) => (block["type"] === "text" ? String(block["text"]) : refuse("Only text is supported here.", param))).join("");
}

function toolUse(call: unknown, param: string): Block {
  const fn = isObject(call) && isObject(call["function"]) ? call["function"] : refuse("A tool call needs a function.", param);
  let input: unknown;
  try {
    input = JSON.parse(typeof fn["arguments"] === "string" && fn["arguments"] !== "" ? fn["arguments"] : "{}");
  } catch {
    return refuse("Tool call arguments must be a JSON object.", `${param}.function.arguments`);
  }
  return { type: "tool_use", id: String((call as Record<string, unknown>)["id"] ?? ""), name: String(fn["name"] ?? ""), input };
}

function messages(list: readonly unknown[]): { system: string[]; messages: Message[] } {
  const system: string[] = [];
  const out: Message[] = [];
  for (const [index, message] of list.entries()) {
    const param = `messages[${index}]`;
    if (!isObject(message)) return refuse("Each message must be an object.", param);
    const role = message["role"];
    if (role === "system" || role === "developer") system.push(text(message["content"], `${param}.content`));
    else if (role === "user") out.push({ role: "user", content: content(message["content"], `${param}.content`) });
    else if (role === "assistant") {
      const said = message["content"] === undefined || message["content"] === null ? [] : content(message["content"], `${param}.content`);
      const blocks = typeof said === "string" ? (said === "" ? [] : [{ type: "text", text: said }]) : said;
      const calls = Array.isArray(message["tool_calls"]) ? message["tool_calls"].map((call, i) => toolUse(call, `${param}.tool_calls[${i}]`)) : [];
      out.push({ role: "assistant", content: [...blocks, ...calls] });
    } else if (role === "tool") {
      const result = { type: "tool_result", tool_use_id: String(message["tool_call_id"] ?? ""), content: text(message["content"], `${param}.content`) };
      // Results of one turn's calls travel together in one user message.
      const last = out.at(-1);
      if (last?.role === "user" && Array.isArray(last.content) && last.content.every((block) => block["type"] === "tool_result")) last.content.push(result);
      else out.push({ role: "user", content: [result] });
    } else refuse(`Messages with role ${JSON.stringify(role)} are not supported.`, `${param}.role`);
  }
  return { system, messages: out };
}

function tools(chat: ChatRequest) {
  const list = chat["tools"];
  if (list === undefined) return {};
  if (!Array.isArray(list)) return refuse("tools must be a list.", "tools");
  const converted = list.map((tool, index) => {
    const fn = isObject(tool) && tool["type"] === "function" && isObject(tool["function"]) ? tool["function"] : refuse("Only function tools are supported.", `tools[${index}]`);
    return { name: fn["name"], ...(fn["description"] !== undefined ? { description: fn["description"] } : {}), input_schema: fn["parameters"] ?? { type: "object", properties: {} } };
  });
  const choice = chat["tool_choice"];
  const named = isObject(choice) && isObject(choice["function"]) ? { type: "tool", name: choice["function"]["name"] } : undefined;
  const mapped = named ?? (choice === "required" ? { type: "any" } : choice === "none" ? { type: "none" } : { type: "auto" });
  const serial = chat["parallel_tool_calls"] === false && mapped.type !== "none" ? { disable_parallel_tool_use: true } : {};
  return { tools: converted, ...(choice !== undefined || serial.disable_parallel_tool_use ? { tool_choice: { ...mapped, ...serial } } : {}) };
}

/** The Messages API body, or the 400 that says which parameter cannot be expressed. */
export function anthropicBody(chat: ChatRequest, target: ChatTarget): { readonly body: Record<string, unknown> } | { readonly error: OpenAiError } {
  try {
    for (const [param, unused] of Object.entries(UNMAPPABLE)) {
      if (chat[param] !== undefined && chat[param] !== null && !unused(chat[param])) refuse(`${param} is not supported for this model.`, param);
    }
    const converted = messages(chat.messages);
    const stop = chat["stop"];
    const user = chat["user"];
    const body = {
      model: target.model,
      messages: converted.messages,
      ...(converted.system.length > 0 ? { system: converted.system.join("\n\n") } : {}),
      max_tokens: chat["max_completion_tokens"] ?? chat["max_tokens"] ?? target.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
      ...(chat["temperature"] !== undefined && chat["temperature"] !== null ? { temperature: chat["temperature"] } : {}),
      ...(chat["top_p"] !== undefined && chat["top_p"] !== null ? { top_p: chat["top_p"] } : {}),
      ...(typeof stop === "string" ? { stop_sequences: [stop] } : Array.isArray(stop) ? { stop_sequences: stop } : {}),
      ...(typeof user === "string" ? { metadata: { user_id: user } } : {}),
      ...(chat.stream === true ? { stream: true } : {}),
      ...tools(chat),
    };
    return { body };
  } catch (error) {
    if (error instanceof Refusal) return { error: error.error };
    throw error;
  }
}
