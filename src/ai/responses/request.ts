/**
 * An OpenAI Responses API request (`POST {basePath}/responses`) → the chat completion request the
 * rest of the processor serves (aliases, adapters, credentials, budgets, usage, fallbacks). The
 * gateway keeps no state between requests: what needs a stored response or conversation, runs in
 * the background or uses OpenAI's built-in tools is refused with a 400 naming the parameter, as
 * is any field this translation does not carry (no option without effect).
 */
import { invalidRequest, isOpenAiError, modelRequest, type OpenAiError } from "../openai-errors.ts";
import { isObject } from "../providers/usage-fields.ts";

type Json = Record<string, unknown>;

/** Below the AI API's base path. */
export const RESPONSES_PATH = "/responses";

/** What the request asked for that the answer repeats (the Responses object echoes its parameters). */
export interface ResponsesEcho {
  readonly instructions: string | null;
  readonly metadata: Json;
  readonly tools: unknown[];
  readonly toolChoice: unknown;
  readonly text: Json;
  readonly temperature: number | null;
  readonly topP: number | null;
  readonly maxOutputTokens: number | null;
  readonly parallelToolCalls: boolean;
  readonly user?: string;
}

export interface ResponsesRequest {
  /** The chat completion request, as JSON bytes. */
  readonly chat: Uint8Array;
  readonly stream: boolean;
  readonly echo: ResponsesEcho;
}

/** Fields a stateless gateway cannot honour, and why. */
const REFUSED: Readonly<Record<string, string>> = {
  previous_response_id: "the gateway stores no responses: send the whole conversation as input",
  store: "the gateway stores no responses: send store: false, or leave it out",
  conversation: "the gateway stores no conversations: send the whole conversation as input",
  prompt: "stored prompts are not supported: publish the prompt as a prompt API of the gateway",
  include: "extra output (include) is not supported",
  reasoning: "reasoning options are not supported yet",
  truncation: "truncation is not supported: trim the input yourself",
  service_tier: "service tiers are not supported",
  background: "background responses are not supported: the gateway answers while the connection is open",
  prompt_cache_key: "prompt cache keys are not supported",
  safety_identifier: "safety identifiers are not supported",
  max_tool_calls: "max_tool_calls is not supported",
  top_logprobs: "log probabilities are not supported",
  stream_options: "stream options are not supported: the final event always carries the usage",
};

const ACCEPTED = new Set(["model", "input", "instructions", "tools", "tool_choice", "text", "max_output_tokens", "temperature", "top_p", "stream", "metadata", "user", "parallel_tool_calls"]);

type Translated<T> = T | OpenAiError;

/** A message's content parts → chat content (a string stays a string). */
function content(value: unknown, param: string): Translated<unknown> {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return invalidRequest(`${param} must be a string or a list of content parts.`, param);
  const parts: unknown[] = [];
  for (const [index, part] of value.entries()) {
    const at = `${param}[${index}]`;
    if (!isObject(part)) return invalidRequest(`${at} must be an object.`, at);
    if ((part["type"] === "input_text" || part["type"] === "output_text") && typeof part["text"] === "string") parts.push({ type: "text", text: part["text"] });
    else if (part["type"] === "input_image" && typeof part["image_url"] === "string") parts.push({ type: "image_url", image_url: { url: part["image_url"], ...(typeof part["detail"] === "string" ? { detail: part["detail"] } : {}) } });
    else return invalidRequest(`${at}: content of type ${JSON.stringify(part["type"])} is not supported (input_text, output_text and input_image with an image_url are).`, at);
  }
  return parts;
}

/** The input items → chat messages: consecutive function calls become one assistant message with tool calls. */
function messages(input: unknown): Translated<Json[]> {
  if (typeof input === "string") return [{ role: "user", content: input }];
  if (!Array.isArray(input) || input.length === 0) return invalidRequest("input must be a string or a non-empty list of items.", "input");
  const out: Json[] = [];
  for (const [index, item] of input.entries()) {
    const at = `input[${index}]`;
    if (!isObject(item)) return invalidRequest(`${at} must be an object.`, at);
    const type = item["type"] ?? "message";
    if (type === "message") {
      const role = item["role"];
      if (role !== "user" && role !== "assistant" && role !== "system" && role !== "developer") return invalidRequest(`${at}.role must be user, assistant, system or developer.`, `${at}.role`);
      const parts = content(item["content"], `${at}.content`);
      if (isOpenAiError(parts)) return parts;
      out.push({ role: role === "developer" ? "system" : role, content: parts });
    } else if (type === "function_call") {
      if (typeof item["call_id"] !== "string" || typeof item["name"] !== "string" || typeof item["arguments"] !== "string") return invalidRequest(`${at}: a function_call needs call_id, name and arguments.`, at);
      const call = { id: item["call_id"], type: "function", function: { name: item["name"], arguments: item["arguments"] } };
      const last = out.at(-1);
      if (last?.["role"] === "assistant" && Array.isArray(last["tool_calls"])) (last["tool_calls"] as unknown[]).push(call);
      else out.push({ role: "assistant", content: null, tool_calls: [call] });
    } else if (type === "function_call_output") {
      if (typeof item["call_id"] !== "string" || typeof item["output"] !== "string") return invalidRequest(`${at}: a function_call_output needs call_id and a string output.`, at);
      out.push({ role: "tool", tool_call_id: item["call_id"], content: item["output"] });
    } else {
      return invalidRequest(`${at}: items of type ${JSON.stringify(type)} are not supported (message, function_call and function_call_output are).`, `${at}.type`);
    }
  }
  return out;
}

function tools(value: unknown): Translated<unknown[]> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return invalidRequest("tools must be a list.", "tools");
  const out: unknown[] = [];
  for (const [index, tool] of value.entries()) {
    if (!isObject(tool) || tool["type"] !== "function" || typeof tool["name"] !== "string") {
      return invalidRequest(`tools[${index}]: only function tools are supported (OpenAI's built-in tools run on OpenAI's side).`, `tools[${index}]`);
    }
    const { type: _type, ...fn } = tool;
    out.push({ type: "function", function: fn });
  }
  return out;
}

function toolChoice(value: unknown): Translated<unknown> {
  if (value === undefined || value === "auto" || value === "none" || value === "required") return value;
  if (isObject(value) && value["type"] === "function" && typeof value["name"] === "string") return { type: "function", function: { name: value["name"] } };
  return invalidRequest("tool_choice must be auto, none, required or a function by name.", "tool_choice");
}

function responseFormat(text: unknown): Translated<Json | undefined> {
  if (text === undefined) return undefined;
  const format = isObject(text) ? text["format"] : undefined;
  if (!isObject(text) || Object.keys(text).some((key) => key !== "format")) return invalidRequest("text takes format only.", "text");
  if (format === undefined || (isObject(format) && format["type"] === "text")) return undefined;
  if (isObject(format) && format["type"] === "json_object") return { type: "json_object" };
  if (isObject(format) && format["type"] === "json_schema" && typeof format["name"] === "string" && isObject(format["schema"])) {
    const { type: _type, ...schema } = format;
    return { type: "json_schema", json_schema: schema };
  }
  return invalidRequest("text.format must be text, json_object or json_schema with a name and a schema.", "text.format");
}

const numberOrNull = (value: unknown) => (typeof value === "number" ? value : null);

export function responsesRequest(body: Uint8Array): Translated<ResponsesRequest> {
  const read = modelRequest(body);
  if ("error" in read) return read.error;
  const parsed = read.request;
  for (const [key, value] of Object.entries(parsed)) {
    if (value === undefined || value === null) continue;
    if ((key === "background" || key === "store") && value === false) continue;
    if (REFUSED[key]) return invalidRequest(`${key}: ${REFUSED[key]}.`, key, "unsupported_parameter");
    if (!ACCEPTED.has(key)) return invalidRequest(`Unsupported parameter: ${key}.`, key, "unsupported_parameter");
  }
  if (parsed["instructions"] !== undefined && typeof parsed["instructions"] !== "string") return invalidRequest("instructions must be a string.", "instructions");
  const turns = messages(parsed["input"]);
  if (isOpenAiError(turns)) return turns;
  const functions = tools(parsed["tools"]);
  if (isOpenAiError(functions)) return functions;
  const choice = toolChoice(parsed["tool_choice"]);
  if (isOpenAiError(choice)) return choice;
  const format = responseFormat(parsed["text"]);
  if (isOpenAiError(format)) return format;
  const stream = parsed["stream"] === true;
  const instructions = typeof parsed["instructions"] === "string" ? parsed["instructions"] : null;
  const chat: Json = {
    model: parsed["model"],
    messages: [...(instructions !== null ? [{ role: "system", content: instructions }] : []), ...turns],
    ...(functions.length > 0 ? { tools: functions } : {}),
    ...(choice !== undefined ? { tool_choice: choice } : {}),
    ...(format ? { response_format: format } : {}),
    ...(parsed["max_output_tokens"] !== undefined ? { max_tokens: parsed["max_output_tokens"] } : {}),
    ...(parsed["temperature"] !== undefined ? { temperature: parsed["temperature"] } : {}),
    ...(parsed["top_p"] !== undefined ? { top_p: parsed["top_p"] } : {}),
    ...(parsed["parallel_tool_calls"] !== undefined ? { parallel_tool_calls: parsed["parallel_tool_calls"] } : {}),
    ...(typeof parsed["user"] === "string" ? { user: parsed["user"] } : {}),
    // The final event carries the usage: providers are asked for it.
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
  return {
    chat: new TextEncoder().encode(JSON.stringify(chat)),
    stream,
    echo: {
      instructions,
      metadata: isObject(parsed["metadata"]) ? parsed["metadata"] : {},
      tools: Array.isArray(parsed["tools"]) ? parsed["tools"] : [],
      toolChoice: parsed["tool_choice"] ?? "auto",
      text: isObject(parsed["text"]) ? parsed["text"] : { format: { type: "text" } },
      temperature: numberOrNull(parsed["temperature"]),
      topP: numberOrNull(parsed["top_p"]),
      maxOutputTokens: numberOrNull(parsed["max_output_tokens"]),
      parallelToolCalls: parsed["parallel_tool_calls"] !== false,
      ...(typeof parsed["user"] === "string" ? { user: parsed["user"] } : {}),
    },
  };
}
