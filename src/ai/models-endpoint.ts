/** `GET {basePath}/models`: the model aliases this gateway serves, as OpenAI's model list. */
import type { AiGatewayRuntime } from "./gateways.ts";

export function modelList(runtime: AiGatewayRuntime): string {
  const data = [...runtime.models.values()].map((model) => ({ id: model.alias, object: "model", created: 0, owned_by: model.provider }));
  return JSON.stringify({ object: "list", data });
}
