/**
 * An OpenAI chat completion request → a Gemini generateContent request: system and developer
 * messages become `systemInstruction`, assistant turns become `model` turns, images become
 * inline data, tool calls and their results become functionCall and functionResponse parts, and
 * OpenAI's knobs go into `generationConfig` (JSON mode as responseMimeType, with the schema when
 * one is given). What Gemini cannot express is refused with a 400 naming it.
 */
import type { OpenAiError } from "../openai-errors.ts";
import type { ChatRequest, ChatTarget } from "./adapter.ts";
import { contentParts, contentText, functionTools, refuse, refuseUnmappable, stopSequences, toolCall, translating } from "./request-parts.ts";
import { isObject } from "./usage-fields.ts";

type Part = Record<string, unknown>;
type Content = { role: "user" | "model"; parts: Part[] };

const UNMAPPABLE: Readonly<Record<string, (value: unknown) => boolean>> = {
  logit_bias: () => false,
  top_logprobs: () => false,
  audio: () => false,
  modalities: () => false,
  prediction: () => false,
};

function userParts(value: unknown, param: string): Part[] {
  const parts = contentParts(value, param);
  if (typeof parts === "string") return [{ text: parts }];
  return parts.map((part, index) => {
    if (part.type === "text") return { text: part.text };
    if (!part.data) return refuse("Gemini takes images inline: send the image as a data: URL (data:image/png;base64,...).", `${param}[${index}].image_url.url`);
    return { inlineData: { mimeType: part.data.mediaType, data: part.data.base64 } };
  });
}

/** A tool result as Gemini's functionResponse, whose `response` is an object: JSON objects pass, anything else is `{ result }`. */
function functionResponse(name: string, id: string, text: string): Part {
  let response: unknown;
  try {
    response = JSON.parse(text);
  } catch {
    response = undefined;
  }
  return { functionResponse: { ...(id ? { id } : {}), name, response: isObject(response) ? response : { result: text } } };
}

function contents(list: readonly unknown[]): { system: string[]; contents: Content[] } {
  const system: string[] = [];
  const out: Content[] = [];
  /** Tool call id → function name: Gemini names the function a result answers, OpenAI only the call id. */
  const names = new Map<string, string>();
  const push = (role: Content["role"], parts: Part[]) => {
    const last = out.at(-1);
    // Gemini wants turns to alternate; consecutive messages of one side become one turn.
    if (last?.role === role) last.parts.push(...parts);
    else out.push({ role, parts });
  };
  for (const [index, message] of list.entries()) {
    const param = `messages[${index}]`;
    if (!isObject(message)) return refuse("Each message must be an object.", param);
    const role = message["role"];
    if (role === "system" || role === "developer") system.push(contentText(message["content"], `${param}.content`));
    else if (role === "user") push("user", userParts(message["content"], `${param}.content`));
    else if (role === "assistant") {
      const text = message["content"] === undefined || message["content"] === null ? "" : contentText(message["content"], `${param}.content`);
      const calls = (Array.isArray(message["tool_calls"]) ? message["tool_calls"] : []).map((call, i) => toolCall(call, `${param}.tool_calls[${i}]`));
      for (const call of calls) names.set(call.id, call.name);
      push("model", [...(text ? [{ text }] : []), ...calls.map((call) => ({ functionCall: { ...(call.id ? { id: call.id } : {}), name: call.name, args: call.input } }))]);
    } else if (role === "tool") {
      const id = String(message["tool_call_id"] ?? "");
      const name = names.get(id) ?? refuse(`No assistant tool call has the id ${JSON.stringify(id)}; Gemini needs the function name of each tool result.`, `${param}.tool_call_id`);
      push("user", [functionResponse(name, id, contentText(message["content"], `${param}.content`))]);
    } else refuse(`Messages with role ${JSON.stringify(role)} are not supported.`, `${param}.role`);
  }
  return { system, contents: out };
}

function tools(chat: ChatRequest) {
  const list = functionTools(chat["tools"]);
  if (list === undefined || list.length === 0) return {};
  const choice = chat["tool_choice"];
  const named = isObject(choice) && isObject(choice["function"]) ? String(choice["function"]["name"]) : undefined;
  const mode = named || choice === "required" ? "ANY" : choice === "none" ? "NONE" : "AUTO";
  return {
    tools: [{ functionDeclarations: list.map(({ parameters, ...tool }) => ({ ...tool, ...(parameters !== undefined ? { parametersJsonSchema: parameters } : {}) })) }],
    ...(choice !== undefined ? { toolConfig: { functionCallingConfig: { mode, ...(named ? { allowedFunctionNames: [named] } : {}) } } } : {}),
  };
}

/** JSON mode: json_object → application/json; json_schema → application/json with the schema. */
function responseFormat(format: unknown): Record<string, unknown> {
  if (format === undefined || format === null) return {};
  const type = isObject(format) ? format["type"] : undefined;
  if (type === "text") return {};
  if (type === "json_object") return { responseMimeType: "application/json" };
  const schema = isObject(format) && isObject(format["json_schema"]) ? format["json_schema"]["schema"] : undefined;
  if (type === "json_schema" && schema !== undefined) return { responseMimeType: "application/json", responseJsonSchema: schema };
  return refuse("response_format must be text, json_object, or json_schema with a schema.", "response_format");
}

const defined = (entries: Record<string, unknown>) => Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined && value !== null));

/** The generateContent body (the model and streaming are in the path), or the 400 naming what Gemini cannot express. */
export function geminiBody(chat: ChatRequest, target: ChatTarget): { readonly body: Record<string, unknown> } | { readonly error: OpenAiError } {
  return translating(() => {
    refuseUnmappable(chat, UNMAPPABLE);
    const converted = contents(chat.messages);
    const generationConfig = defined({
      temperature: chat["temperature"],
      topP: chat["top_p"],
      maxOutputTokens: chat["max_completion_tokens"] ?? chat["max_tokens"] ?? target.maxTokens,
      stopSequences: stopSequences(chat["stop"]),
      candidateCount: chat["n"],
      presencePenalty: chat["presence_penalty"],
      frequencyPenalty: chat["frequency_penalty"],
      seed: chat["seed"],
      responseLogprobs: chat["logprobs"] === true ? true : undefined,
      ...responseFormat(chat["response_format"]),
    });
    return {
      contents: converted.contents,
      ...(converted.system.length > 0 ? { systemInstruction: { parts: [{ text: converted.system.join("\n\n") }] } } : {}),
      ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
      ...tools(chat),
    };
  });
}
