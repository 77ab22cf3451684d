/**
 * Parts of the `ai` and `prompts` sections the AI processor does not implement yet. Each is a
 * located error: a budget that nothing enforces, or a fallback that never happens, is worse than
 * none, because users would rely on it.
 */
import type { GatewayConfig } from "../config/types.ts";
import type { Reporter } from "./report.ts";

export function reportUnsupportedAi(config: GatewayConfig, report: Reporter): void {
  for (const [index, prompt] of (config.prompts ?? []).entries()) {
    report.error("PCL4044", `Prompt API "${prompt.name}" is not supported yet: nothing would serve ${prompt.path}.`, ["prompts", index], "Remove the prompts entry until prompt APIs land; clients can call the chat completions API with the template meanwhile.");
  }
  const ai = config.ai;
  if (!ai) return;
  for (const [alias, model] of Object.entries(ai.models ?? {})) {
    const path = ["ai", "models", alias];
    if ((model.fallbacks ?? []).length > 0) {
      report.error("PCL4041", `Model alias "${alias}" has fallbacks, which are not supported yet: a failing target would not be retried elsewhere.`, [...path, "fallbacks"], "Remove fallbacks until they land.");
    }
    const targets = model.targets ?? [];
    if (targets.length > 1) {
      report.error("PCL4042", `Model alias "${alias}" has ${targets.length} targets; splitting traffic between targets is not supported yet.`, [...path, "targets", 1], "Keep one target per alias, or one alias per target.");
    }
    for (const [index, target] of targets.entries()) {
      if (target.weight !== undefined) {
        report.error("PCL4042", `Model alias "${alias}" gives a target a weight; weighted splits are not supported yet, so it would have no effect.`, [...path, "targets", index, "weight"], "Remove weight.");
      }
    }
  }
}
