/**
 * The chat completion the processor made of a provider's answer (whole, or as chat.completion.chunk
 * events) → the OpenAI Responses API's answer: one `response` object, or its event stream
 * (response.created … response.completed, with the text and function-call arguments as deltas as
 * they come, and the usage in the last event). Errors keep the OpenAI error shape both APIs share.
 */
import { randomBytes } from "node:crypto";
import { isObject } from "../providers/usage-fields.ts";
import { SseParser } from "../sse.ts";
import type { ResponsesEcho } from "./request.ts";

type Json = Record<string, unknown>;

const encoder = new TextEncoder();
const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

/** Chat usage → Responses usage (input and output tokens, cached and reasoning details). */
function usageOf(usage: unknown): Json | null {
  if (!isObject(usage)) return null;
  const number = (value: unknown) => (typeof value === "number" ? value : 0);
  const input = number(usage["prompt_tokens"]);
  const output = number(usage["completion_tokens"]);
  const inputDetails = isObject(usage["prompt_tokens_details"]) ? usage["prompt_tokens_details"] : {};
  const outputDetails = isObject(usage["completion_tokens_details"]) ? usage["completion_tokens_details"] : {};
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: number(inputDetails["cached_tokens"]) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: number(outputDetails["reasoning_tokens"]) },
    total_tokens: number(usage["total_tokens"]) || input + output,
  };
}

const messageItem = (id: string, text: string, status: string): Json => ({ type: "message", id, status, role: "assistant", content: status === "completed" || text !== "" ? [{ type: "output_text", text, annotations: [] }] : [] });
const callItem = (id: string, callId: string, name: string, args: string, status: string): Json => ({ type: "function_call", id, call_id: callId, name, arguments: args, status });

export class ResponsesAnswer {
  readonly #alias: string;
  readonly #echo: ResponsesEcho;
  readonly #stream: boolean;
  readonly #id = newId("resp");
  readonly #created: number;
  readonly #chunks: Uint8Array[] = [];
  readonly #parser = new SseParser();
  #sequence = 0;
  #started = false;
  #finished = false;
  #text: { id: string; index: number; text: string } | undefined;
  readonly #calls = new Map<number, { id: string; index: number; callId: string; name: string; args: string }>();
  #items = 0;
  #usage: unknown;
  #finish: unknown;

  constructor(alias: string, echo: ResponsesEcho, stream: boolean, now: number) {
    this.#alias = alias;
    this.#echo = echo;
    this.#stream = stream;
    this.#created = Math.floor(now / 1000);
  }

  /** The client's bytes for this chunk of the chat answer; a whole answer is held until its end. */
  push(chat: Uint8Array, end: boolean, status: number): Uint8Array {
    if (!this.#stream || status >= 400) {
      this.#chunks.push(chat);
      if (!end) return new Uint8Array();
      const text = Buffer.concat(this.#chunks).toString("utf8");
      return status >= 400 ? encoder.encode(text) : encoder.encode(JSON.stringify(this.#whole(text)));
    }
    let out = this.#started ? "" : this.#begin();
    for (const event of this.#parser.push(chat, end)) out += this.#event(event.data);
    if (end) out += this.#end();
    return encoder.encode(out);
  }

  #response(status: string, output: Json[], usage: Json | null): Json {
    const echo = this.#echo;
    return {
      id: this.#id,
      object: "response",
      created_at: this.#created,
      status,
      error: null,
      incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
      instructions: echo.instructions,
      max_output_tokens: echo.maxOutputTokens,
      model: this.#alias,
      output,
      parallel_tool_calls: echo.parallelToolCalls,
      previous_response_id: null,
      store: false,
      temperature: echo.temperature,
      text: echo.text,
      tool_choice: echo.toolChoice,
      tools: echo.tools,
      top_p: echo.topP,
      truncation: "disabled",
      usage,
      ...(echo.user !== undefined ? { user: echo.user } : {}),
      metadata: echo.metadata,
    };
  }

  #whole(text: string): Json {
    let completion: unknown;
    try {
      completion = JSON.parse(text);
    } catch {
      completion = undefined;
    }
    const choice = isObject(completion) && Array.isArray(completion["choices"]) ? completion["choices"][0] : undefined;
    const message = isObject(choice) && isObject(choice["message"]) ? choice["message"] : {};
    const output: Json[] = [];
    if (typeof message["content"] === "string" && message["content"] !== "") output.push(messageItem(newId("msg"), message["content"], "completed"));
    for (const call of Array.isArray(message["tool_calls"]) ? message["tool_calls"] : []) {
      const fn = isObject(call) && isObject(call["function"]) ? call["function"] : {};
      output.push(callItem(newId("fc"), isObject(call) ? String(call["id"] ?? "") : "", String(fn["name"] ?? ""), String(fn["arguments"] ?? ""), "completed"));
    }
    const status = isObject(choice) && choice["finish_reason"] === "length" ? "incomplete" : "completed";
    return this.#response(status, output, usageOf(isObject(completion) ? completion["usage"] : undefined));
  }

  #emit(type: string, payload: Json): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.#sequence++, ...payload })}\n\n`;
  }

  #begin(): string {
    this.#started = true;
    const response = this.#response("in_progress", [], null);
    return this.#emit("response.created", { response }) + this.#emit("response.in_progress", { response });
  }

  #event(data: string): string {
    if (data === "[DONE]") return "";
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return "";
    }
    if (!isObject(chunk)) return "";
    if (isObject(chunk["error"])) {
      const error = chunk["error"];
      this.#finished = true;
      return this.#emit("error", { code: error["code"] ?? null, message: String(error["message"] ?? "the provider failed"), param: error["param"] ?? null });
    }
    if (chunk["usage"] !== undefined && chunk["usage"] !== null) this.#usage = chunk["usage"];
    const choice = Array.isArray(chunk["choices"]) ? chunk["choices"][0] : undefined;
    if (!isObject(choice)) return "";
    if (choice["finish_reason"]) this.#finish = choice["finish_reason"];
    const delta = isObject(choice["delta"]) ? choice["delta"] : {};
    let out = "";
    if (typeof delta["content"] === "string" && delta["content"] !== "") out += this.#textDelta(delta["content"]);
    for (const call of Array.isArray(delta["tool_calls"]) ? delta["tool_calls"] : []) if (isObject(call)) out += this.#callDelta(call);
    return out;
  }

  #textDelta(delta: string): string {
    let out = "";
    if (!this.#text) {
      this.#text = { id: newId("msg"), index: this.#items++, text: "" };
      out += this.#emit("response.output_item.added", { output_index: this.#text.index, item: messageItem(this.#text.id, "", "in_progress") });
      out += this.#emit("response.content_part.added", { item_id: this.#text.id, output_index: this.#text.index, content_index: 0, part: { type: "output_text", text: "", annotations: [] } });
    }
    this.#text.text += delta;
    return out + this.#emit("response.output_text.delta", { item_id: this.#text.id, output_index: this.#text.index, content_index: 0, delta });
  }

  #callDelta(delta: Json): string {
    const position = typeof delta["index"] === "number" ? delta["index"] : 0;
    const fn = isObject(delta["function"]) ? delta["function"] : {};
    let out = "";
    let call = this.#calls.get(position);
    if (!call) {
      call = { id: newId("fc"), index: this.#items++, callId: String(delta["id"] ?? ""), name: String(fn["name"] ?? ""), args: "" };
      this.#calls.set(position, call);
      out += this.#emit("response.output_item.added", { output_index: call.index, item: callItem(call.id, call.callId, call.name, "", "in_progress") });
    }
    if (typeof fn["arguments"] === "string" && fn["arguments"] !== "") {
      call.args += fn["arguments"];
      out += this.#emit("response.function_call_arguments.delta", { item_id: call.id, output_index: call.index, delta: fn["arguments"] });
    }
    return out;
  }

  #end(): string {
    if (this.#finished) return "";
    this.#finished = true;
    const items: { index: number; item: Json; events: string }[] = [];
    const text = this.#text;
    if (text) {
      const part = { type: "output_text", text: text.text, annotations: [] };
      const item = messageItem(text.id, text.text, "completed");
      items.push({
        index: text.index,
        item,
        events:
          this.#emit("response.output_text.done", { item_id: text.id, output_index: text.index, content_index: 0, text: text.text }) +
          this.#emit("response.content_part.done", { item_id: text.id, output_index: text.index, content_index: 0, part }) +
          this.#emit("response.output_item.done", { output_index: text.index, item }),
      });
    }
    for (const call of this.#calls.values()) {
      const item = callItem(call.id, call.callId, call.name, call.args, "completed");
      items.push({
        index: call.index,
        item,
        events: this.#emit("response.function_call_arguments.done", { item_id: call.id, output_index: call.index, arguments: call.args }) + this.#emit("response.output_item.done", { output_index: call.index, item }),
      });
    }
    const status = this.#finish === "length" ? "incomplete" : "completed";
    const response = this.#response(status, items.sort((a, b) => a.index - b.index).map((entry) => entry.item), usageOf(this.#usage));
    return items.map((entry) => entry.events).join("") + this.#emit(status === "incomplete" ? "response.incomplete" : "response.completed", { response });
  }
}
