/**
 * Parts of the `ai` and `prompts` sections the AI processor does not implement yet. Each is a
 * located error: a prompt API that nothing serves is worse than none, because users would rely on it.
 */
import type { GatewayConfig } from "../config/types.ts";
import type { Reporter } from "./report.ts";

export function reportUnsupportedAi(config: GatewayConfig, report: Reporter): void {
  for (const [index, prompt] of (config.prompts ?? []).entries()) {
    report.error("PCL4044", `Prompt API "${prompt.name}" is not supported yet: nothing would serve ${prompt.path}.`, ["prompts", index], "Remove the prompts entry until prompt APIs land; clients can call the chat completions API with the template meanwhile.");
  }
}
