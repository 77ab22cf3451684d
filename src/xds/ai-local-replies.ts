/**
 * The AI processor's own 429s (a budget or per-minute limit refused the request) keep the
 * OpenAI-shaped body and Retry-After it wrote: OpenAI clients read `error.message` and `error.code`,
 * and would get problem+json from the gateway's generic 429 mapper. Only local replies are mapped,
 * so a provider's own 429 passes untouched anyway; on the chat, embeddings, Messages and prompt API
 * paths, the processor is the only filter that answers 429 itself.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { AccessLogFilterSchema } from "../../generated/envoy/config/accesslog/v3/accesslog_pb.js";
import { ANTHROPIC_MESSAGES_PATH } from "../ai/providers/upstream-path.ts";
import type { GatewayIR } from "../model/ir.ts";
import { statusIs } from "./local-replies.ts";
import { escapeRegex } from "./proto.ts";

type Filter = MessageInitShape<typeof AccessLogFilterSchema>;

function pathIsOneOf(paths: readonly string[]): Filter {
  const regex = `^(${paths.map(escapeRegex).join("|")})(\\?.*)?$`;
  return { filterSpecifier: { case: "headerFilter", value: { header: { name: ":path", headerMatchSpecifier: { case: "stringMatch", value: { matchPattern: { case: "safeRegex", value: { regex } } } } } } } };
}

/** A mapper that matches and changes nothing: the first matching mapper is the only one applied. */
export function aiReplyMappers(ir: GatewayIR) {
  if (!ir.ai) return [];
  const mapper = (paths: readonly string[]) => ({ filter: { filterSpecifier: { case: "andFilter" as const, value: { filters: [statusIs(429), pathIsOneOf(paths)] } } } });
  // One per prompt path: a regex of them all would outgrow the program size Envoy's RE2 takes.
  return [mapper([`${ir.ai.basePath}/chat/completions`, `${ir.ai.basePath}/embeddings`, `${ir.ai.basePath}${ANTHROPIC_MESSAGES_PATH}`]), ...ir.ai.prompts.map((prompt) => mapper([prompt.path]))];
}
