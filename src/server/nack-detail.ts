/**
 * What a NACK says, made readable for /status and logs: Envoy's error_detail.message without the
 * text-format dump of the whole rejected proto that validation errors append (it can run to
 * kilobytes and is cut off mid-field), and which of the resources sent it names, with where the
 * config defines them.
 */
import { locationText } from "../config/diagnostics.ts";
import type { NackRecord } from "./node-status.ts";
import type { ResourceOrigin } from "./resource-origins.ts";
import { shortType } from "./resource-types.ts";

/** Longer messages are cut at a word boundary: /status is read by people, the log keeps the cause. */
const MAX_MESSAGE_LENGTH = 500;

const VALIDATION_PREFIX = "Proto constraint validation failed (";

/**
 * `Proto constraint validation failed (ListenerValidationError.Name: value length must be at
 * least 1 characters): name: "" address { … }` → the part up to the closing parenthesis.
 */
function withoutProtoDump(message: string): string {
  const start = message.indexOf(VALIDATION_PREFIX);
  if (start === -1) return message;
  let depth = 0;
  for (let index = start + VALIDATION_PREFIX.length - 1; index < message.length; index++) {
    if (message[index] === "(") depth++;
    if (message[index] === ")" && --depth === 0) return message.slice(0, index + 1);
  }
  return message;
}

function shortened(message: string): string {
  if (message.length <= MAX_MESSAGE_LENGTH) return message;
  const cut = message.lastIndexOf(" ", MAX_MESSAGE_LENGTH);
  return `${message.slice(0, cut > MAX_MESSAGE_LENGTH / 2 ? cut : MAX_MESSAGE_LENGTH)} …`;
}

/** Envoy's NACK message, one line, without the proto dump, at most about 500 characters. */
export function cleanNackMessage(message: string): string {
  const lines = message
    .split("\n")
    .map((line) => withoutProtoDump(line.trim()))
    .filter((line) => line !== "");
  return shortened(lines.join("; "));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The resources a NACK is about: those of the response that the message names (Envoy writes
 * `listener(s) http: …`, `cluster(s) orders: …`), or the only one sent; none when it cannot tell.
 */
export function rejectedResources(message: string, sent: readonly string[]): string[] {
  const named = sent.filter((name) => new RegExp(`(^|[\\s,;])${escapeRegExp(name)}:`).test(message));
  if (named.length > 0) return named;
  return sent.length === 1 ? [...sent] : [];
}

export interface NackInput {
  readonly typeUrl: string;
  /** The version of the type the node rejected. */
  readonly version: string;
  /** Envoy's error_detail.message. */
  readonly message: string;
  /** The names of the resources the rejected response carried. */
  readonly sent: readonly string[];
  readonly origin: (name: string) => ResourceOrigin | undefined;
}

/** The /status record of a NACK, without what the session adds (snapshot, revert, time). */
export function describeNack(input: NackInput): Omit<NackRecord, "at" | "snapshot" | "revertedTo"> {
  return {
    type: shortType(input.typeUrl),
    version: input.version,
    resources: rejectedResources(input.message, input.sent).map((name) => ({ name, ...input.origin(name) })),
    message: cleanNackMessage(input.message),
  };
}

/** A NACK record as log fields: each resource with its config location, if known. */
export function nackLogFields(record: Omit<NackRecord, "at">): Record<string, unknown> {
  const { resources, ...rest } = record;
  return { ...rest, resources: resources.map((r) => (r.location ? `${r.name} (${locationText(r.location)})` : r.name)) };
}
