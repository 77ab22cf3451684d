/**
 * One call of a prompt API as the processor handles it: the caller's JSON body is checked against
 * the prompt's input schema and becomes a chat completion request for the prompt's alias (which
 * then goes the way of every chat request: translation, credentials, budgets, usage); the
 * answer, buffered whole, becomes `{ "output": … }`, checked against the output schema if any.
 * The caller's body only fills the template: nothing in it reaches the chat request otherwise,
 * so `model`, `messages` or `max_tokens` in it change nothing.
 */
import type { ValidateFunction } from "ajv/dist/2020.js";
import type { ProcessingResponse } from "../../../generated/envoy/service/ext_proc/v3/external_processor_pb.js";
import type { AiPromptIR } from "../../model/ir.ts";
import { immediateResponse, type Mutation, phaseResponse } from "../ext-proc-messages.ts";
import { isObject } from "../providers/usage-fields.ts";
import { compileSchema, promptAjv, type SchemaError, schemaErrors } from "./schemas.ts";
import { fill } from "./template.ts";

/** A prompt with its schemas compiled (once per config). */
export interface CompiledPrompt {
  readonly prompt: AiPromptIR;
  readonly input: ValidateFunction;
  readonly output?: ValidateFunction;
}

/** The prompts of a gateway by path; their schemas compiled already at compile time, so they compile here. */
export function compilePrompts(prompts: readonly AiPromptIR[]): ReadonlyMap<string, CompiledPrompt> {
  const ajv = promptAjv();
  const compile = (schema: AiPromptIR["input"]) => {
    const compiled = compileSchema(ajv, schema);
    if ("problem" in compiled) throw new Error(`a prompt schema the compiler accepted does not compile: ${compiled.problem}`);
    return compiled;
  };
  return new Map(prompts.map((prompt) => [prompt.path, { prompt, input: compile(prompt.input), ...(prompt.output ? { output: compile(prompt.output) } : {}) }]));
}

const encoder = new TextEncoder();

/** An RFC 9457 problem, answered by the processor with no upstream call (400) or instead of the model's answer (502). */
function problem(status: 400 | 502, title: string, detail: string, errors?: readonly SchemaError[]): ProcessingResponse {
  return immediateResponse(status, JSON.stringify({ type: "about:blank", title, status, detail, ...(errors ? { errors } : {}) }), "application/problem+json");
}

/** The answer text inside a Markdown code fence, which models often put JSON in. */
function unfenced(text: string): string {
  const fenced = /^\s*```[A-Za-z]*\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text);
  return fenced ? fenced[1]! : text;
}

function parse(text: string): { readonly value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** The text of a chat completion's first choice, if it has one. */
function answerText(completion: unknown): string | undefined {
  const choice = isObject(completion) && Array.isArray(completion["choices"]) ? completion["choices"][0] : undefined;
  const message = isObject(choice) ? choice["message"] : undefined;
  const content = isObject(message) ? message["content"] : undefined;
  return typeof content === "string" ? content : undefined;
}

export class PromptCall {
  readonly #compiled: CompiledPrompt;

  constructor(compiled: CompiledPrompt) {
    this.#compiled = compiled;
  }

  /** The prompt's name, for the usage record. */
  get name(): string {
    return this.#compiled.prompt.name;
  }

  /** A request without a body: answered like a body that is not the JSON object the schema wants. */
  noBody(): ProcessingResponse {
    return problem(400, "Bad Request", `POST a JSON object to ${this.#compiled.prompt.path}; its input schema says which fields.`);
  }

  /** The chat completion request the caller's body makes, or the 400 that refuses it. */
  chatRequest(body: Uint8Array): Uint8Array | ProcessingResponse {
    const { prompt, input } = this.#compiled;
    const parsed = parse(new TextDecoder().decode(body));
    if (!parsed) return problem(400, "Bad Request", "The request body is not JSON.");
    if (!input(parsed.value) || !isObject(parsed.value)) {
      return problem(400, "Bad Request", `The request body does not match the input schema of prompt API "${prompt.name}".`, schemaErrors(input.errors));
    }
    const chat = {
      model: prompt.model,
      messages: [...(prompt.system !== undefined ? [{ role: "system", content: prompt.system }] : []), { role: "user", content: fill(prompt.template, parsed.value) }],
      ...(prompt.maxTokens !== undefined ? { max_tokens: prompt.maxTokens } : {}),
      ...(prompt.jsonSchemaMode && prompt.output ? { response_format: { type: "json_schema", json_schema: { name: prompt.name, schema: prompt.output } } } : {}),
    };
    return encoder.encode(JSON.stringify(chat));
  }

  /** The provider's answer headers as the caller gets them: a JSON body of the processor's making, whatever its length. */
  responseHeaders(headers: ReadonlyMap<string, string>, provider: Mutation): Mutation {
    const remove = [...(provider.remove ?? [])];
    if (headers.has("content-length") && !remove.includes("content-length")) remove.push("content-length");
    return { ...provider, remove, set: { ...provider.set, "content-type": "application/json" } };
  }

  /** The answer to the whole (OpenAI-shaped) response: `{ "output": … }`, an error passed on as it is, or a 502. */
  answer(status: number, body: Uint8Array): ProcessingResponse {
    if (status >= 400) return phaseResponse("responseBody", { body });
    const { prompt, output } = this.#compiled;
    const text = answerText(parse(new TextDecoder().decode(body))?.value);
    if (text === undefined) return problem(502, "Bad Gateway", `The model of prompt API "${prompt.name}" gave no text answer.`);
    if (!output) return phaseResponse("responseBody", { body: encoder.encode(JSON.stringify({ output: text })) });
    const parsed = parse(unfenced(text));
    if (!parsed) return problem(502, "Bad Gateway", `The answer of the model of prompt API "${prompt.name}" is not JSON, so it cannot match the output schema.`);
    if (!output(parsed.value)) return problem(502, "Bad Gateway", `The answer of the model of prompt API "${prompt.name}" does not match its output schema.`, schemaErrors(output.errors));
    return phaseResponse("responseBody", { body: encoder.encode(JSON.stringify({ output: parsed.value })) });
  }
}
