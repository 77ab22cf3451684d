/** The adapter for each wire format a provider can speak. */
import type { AiProviderIR } from "../../model/ir.ts";
import type { ProviderAdapter } from "./adapter.ts";
import { anthropicAdapter } from "./anthropic.ts";
import { azureOpenAiAdapter } from "./azure-openai.ts";
import { bedrockAdapter } from "./bedrock.ts";
import { geminiAdapter } from "./gemini.ts";
import { openAiAdapter } from "./openai.ts";

export const ADAPTERS: Readonly<Record<AiProviderIR["api"], ProviderAdapter>> = {
  openai: openAiAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  "azure-openai": azureOpenAiAdapter,
  bedrock: bedrockAdapter,
};
