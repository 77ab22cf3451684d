/**
 * Reading the parts of an OpenAI chat request that every translating adapter reads the same way:
 * content parts, image data URLs, tool call arguments, and the 400 that names a parameter a
 * provider cannot express (thrown inside a translation, returned by `translating`).
 */
import { invalidRequest, type OpenAiError } from "../openai-errors.ts";
import { isObject } from "./usage-fields.ts";

class Refusal extends Error {
  readonly error: OpenAiError;
  constructor(error: OpenAiError) {
    super(error.message);
    this.error = error;
  }
}

/** Ends a translation with a 400 naming the parameter. */
export const refuse = (message: string, param: string): never => {
  throw new Refusal(invalidRequest(message, param));
};

/** Runs a translation, turning a refusal into its OpenAI error. */
export function translating<T>(translate: () => T): { readonly body: T } | { readonly error: OpenAiError } {
  try {
    return { body: translate() };
  } catch (error) {
    if (error instanceof Refusal) return { error: error.error };
    throw error;
  }
}

/** Refuses OpenAI parameters a provider has no meaning for, unless they hold the value that means "not used". */
export function refuseUnmappable(chat: Readonly<Record<string, unknown>>, unmappable: Readonly<Record<string, (value: unknown) => boolean>>): void {
  for (const [param, unused] of Object.entries(unmappable)) {
    if (chat[param] !== undefined && chat[param] !== null && !unused(chat[param])) refuse(`${param} is not supported for this model.`, param);
  }
}

export type ContentPart = { readonly type: "text"; readonly text: string } | { readonly type: "image"; readonly url: string; readonly data?: { readonly mediaType: string; readonly base64: string } };

/** An image_url part's URL, and its bytes when it is a base64 data URL. */
function image(part: Record<string, unknown>, param: string): ContentPart {
  const url = isObject(part["image_url"]) ? part["image_url"]["url"] : undefined;
  if (typeof url !== "string") return refuse("An image_url part needs image_url.url.", param);
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return { type: "image", url, ...(data ? { data: { mediaType: data[1]!, base64: data[2]! } } : {}) };
}

/** Message content: a string, or a list of text and image parts. */
export function contentParts(value: unknown, param: string): string | ContentPart[] {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return refuse("Message content must be a string or a list of parts.", param);
  return value.map((part, index) => {
    if (!isObject(part)) return refuse("Content parts must be objects.", `${param}[${index}]`);
    if (part["type"] === "text") return { type: "text", text: String(part["text"] ?? "") };
    if (part["type"] === "image_url") return image(part, `${param}[${index}]`);
    return refuse(`Content parts of type ${JSON.stringify(part["type"])} are not supported for this model.`, `${param}[${index}]`);
  });
}

/** Text-only content (system messages, tool results): parts joined. */
export function contentText(value: unknown, param: string): string {
  const parts = contentParts(value, param);
  return typeof parts === "string" ? parts : parts.map((part) => (part.type === "text" ? part.text : refuse("Only text is supported here.", param))).join("");
}

/** A tool call's function name, id and arguments (a JSON object; empty means none). */
export function toolCall(call: unknown, param: string): { readonly id: string; readonly name: string; readonly input: unknown } {
  const fn = isObject(call) && isObject(call["function"]) ? call["function"] : refuse("A tool call needs a function.", param);
  let input: unknown;
  try {
    input = JSON.parse(typeof fn["arguments"] === "string" && fn["arguments"] !== "" ? fn["arguments"] : "{}");
  } catch {
    return refuse("Tool call arguments must be a JSON object.", `${param}.function.arguments`);
  }
  return { id: String((call as Record<string, unknown>)["id"] ?? ""), name: String(fn["name"] ?? ""), input };
}

/** The function tools of a request: name, description and JSON schema. */
export function functionTools(list: unknown): { readonly name: unknown; readonly description?: unknown; readonly parameters?: unknown }[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return refuse("tools must be a list.", "tools");
  return list.map((tool, index) => {
    const fn = isObject(tool) && tool["type"] === "function" && isObject(tool["function"]) ? tool["function"] : refuse("Only function tools are supported.", `tools[${index}]`);
    return { name: fn["name"], ...(fn["description"] !== undefined ? { description: fn["description"] } : {}), ...(fn["parameters"] !== undefined ? { parameters: fn["parameters"] } : {}) };
  });
}

/** `stop` as a list of sequences. */
export const stopSequences = (stop: unknown): string[] | undefined => (typeof stop === "string" ? [stop] : Array.isArray(stop) ? stop.map(String) : undefined);
