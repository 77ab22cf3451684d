/**
 * The `prompts` section → prompt APIs in the AI IR and their routes. A prompt's endpoint is an AI
 * route (ext_proc on, deny by default, the prompt's own access rules, POST only); the processor
 * turns its body into a chat request for the prompt's alias and routes it like a chat request,
 * so each chat provider and chain route is repeated at the prompt's path, where it matches once
 * the processor has set the route header. Schemas and placeholders are checked here, so a
 * processor never meets a schema it cannot compile.
 */
import { closedInput, compileSchema, promptAjv } from "../ai/prompts/schemas.ts";
import { placeholders } from "../ai/prompts/template.ts";
import type { GatewayConfig, PromptApi } from "../config/types.ts";
import type { AccessIR, AiModelIR, AiPromptIR, AiProviderIR, RouteIR } from "./ir.ts";
import type { Reporter } from "./report.ts";
import { type AccessInputs, resolveAccess } from "./resolve-access.ts";

export interface PromptInputs {
  readonly models: readonly AiModelIR[];
  readonly providers: ReadonlyMap<string, AiProviderIR>;
  /** The AI API's routes: the chat provider and chain routes are repeated at each prompt's path. */
  readonly aiRoutes: readonly RouteIR[];
  /** Routes the prompt paths must not take (the APIs', and the AI API's). */
  readonly taken: readonly RouteIR[];
  readonly access: AccessInputs;
  readonly report: Reporter;
}

export interface PromptResolution {
  readonly prompts: readonly AiPromptIR[];
  readonly routes: readonly RouteIR[];
}

/** Provider wire formats whose adapters send an OpenAI `json_schema` response_format on (src/ai/providers). */
const TAKES_JSON_SCHEMA = new Set<AiProviderIR["api"]>(["openai", "azure-openai", "gemini"]);

type Path = (string | number)[];

/** The input is an object schema, the schemas compile and the input declares every placeholder; false after reporting. */
function checkSchemas(prompt: PromptApi, path: Path, report: Reporter): boolean {
  if (prompt.input["type"] !== "object") {
    report.error("PCL4173", `The input schema of prompt API "${prompt.name}" does not say type: object, but the body's fields fill the template.`, [...path, "input", "type"], 'Set type: "object" and declare each field under properties.');
    return false;
  }
  const ajv = promptAjv();
  let ok = true;
  for (const key of ["input", "output"] as const) {
    const schema = prompt[key];
    if (schema === undefined) continue;
    const compiled = compileSchema(ajv, key === "input" ? closedInput(schema) : schema);
    if ("problem" in compiled) {
      report.error(key === "input" ? "PCL4170" : "PCL4171", `The ${key} schema of prompt API "${prompt.name}" is not a JSON Schema ajv can use in strict mode: ${compiled.problem}.`, [...path, key], "Write a JSON Schema (draft 2020-12) with only its known keywords and formats, e.g. { type: object, properties: { text: { type: string } }, required: [text] }.");
      ok = false;
    }
  }
  const declared = prompt.input["properties"];
  const fields = typeof declared === "object" && declared !== null ? Object.keys(declared) : [];
  for (const name of placeholders(prompt.template).filter((field) => !fields.includes(field))) {
    report.error("PCL4172", `The template of prompt API "${prompt.name}" has the placeholder {{${name}}}, which its input schema does not declare, so no caller could fill it.`, [...path, "template"], fields.length > 0 ? `Declare "${name}" under input.properties, or use one of ${fields.map((f) => `{{${f}}}`).join(", ")}.` : `Declare "${name}" under input.properties.`);
    ok = false;
  }
  return ok;
}

function checkMaxTokens(prompt: PromptApi, model: AiModelIR, path: Path, report: Reporter): boolean {
  if (prompt.maxTokens === undefined || model.maxTokens === undefined || prompt.maxTokens <= model.maxTokens) return true;
  report.error("PCL4175", `Prompt API "${prompt.name}" asks for answers of up to ${prompt.maxTokens} tokens, but its model alias "${model.alias}" allows at most ${model.maxTokens}.`, [...path, "maxTokens"], `Lower maxTokens to ${model.maxTokens} or less, or raise ai.models.${model.alias}.maxTokens.`);
  return false;
}

/** Whether every provider a request for the alias may reach takes a JSON schema as its answer format. */
function jsonSchemaMode(model: AiModelIR, providers: ReadonlyMap<string, AiProviderIR>): boolean {
  return [...model.targets, ...model.fallbacks].every((target) => {
    const api = providers.get(target.provider)?.api;
    return api !== undefined && TAKES_JSON_SCHEMA.has(api);
  });
}

/** The prompt's endpoint route, and the alias's chat provider and chain routes at its path. */
function promptRoutes(prompt: AiPromptIR, access: AccessIR, model: AiModelIR, inputs: PromptInputs): RouteIR[] {
  const reached = new Set([...model.targets, ...model.fallbacks].map((target) => target.provider));
  const entry = inputs.aiRoutes.find((route) => route.ai?.endpoint === "chat" && route.action.kind === "ai-processor")!;
  const onward = inputs.aiRoutes.filter((route) => route.ai?.endpoint === "chat" && route.action.kind === "forward" && (route.ai.provider === undefined || reached.has(route.ai.provider)));
  return [entry, ...onward].map((route) => {
    const name = route === entry ? `prompt.${prompt.name}` : `prompt.${prompt.name}.${route.name}`;
    return { ...route, id: `${route.api}.${name}`, name, access, match: { ...route.match, path: prompt.path }, ai: { ...route.ai!, prompt: prompt.name } };
  });
}

/** An exact path some other route (or an earlier prompt) takes would shadow the prompt or be shadowed by it. */
function pathTaken(prompt: PromptApi, taken: ReadonlySet<string>, path: Path, report: Reporter): boolean {
  if (!taken.has(prompt.path)) return false;
  report.error("PCL4174", `Prompt API "${prompt.name}" takes ${prompt.path}, a path another route (an API's, the AI API's or another prompt's) already takes.`, [...path, "path"], "Give the prompt a path of its own, e.g. /prompts/<name>.");
  return true;
}

export function resolvePrompts(config: GatewayConfig, inputs: PromptInputs): PromptResolution {
  const { report } = inputs;
  const taken = new Set(inputs.taken.filter((route) => route.match.kind === "exact").map((route) => route.match.path));
  const prompts: AiPromptIR[] = [];
  const routes: RouteIR[] = [];
  for (const [index, prompt] of (config.prompts ?? []).entries()) {
    const path: Path = ["prompts", index];
    const model = inputs.models.find((candidate) => candidate.alias === prompt.model);
    const schemasOk = checkSchemas(prompt, path, report);
    const clash = pathTaken(prompt, taken, path, report);
    taken.add(prompt.path);
    // An alias that is not there is reported already (PCL3005, or its own targets' errors).
    const tokensOk = model === undefined || checkMaxTokens(prompt, model, path, report);
    if (!model || !schemasOk || clash || !tokensOk) continue;
    const resolved: AiPromptIR = {
      name: prompt.name,
      path: prompt.path,
      model: prompt.model,
      template: prompt.template,
      ...(prompt.system !== undefined ? { system: prompt.system } : {}),
      input: closedInput(prompt.input),
      ...(prompt.output !== undefined ? { output: prompt.output } : {}),
      ...(prompt.maxTokens !== undefined ? { maxTokens: prompt.maxTokens } : {}),
      jsonSchemaMode: prompt.output !== undefined && jsonSchemaMode(model, inputs.providers),
    };
    prompts.push(resolved);
    routes.push(...promptRoutes(resolved, resolveAccess(prompt.access, inputs.access, [...path, "access"]), model, inputs));
  }
  return { prompts: prompts.sort((a, b) => (a.path < b.path ? -1 : 1)), routes };
}
