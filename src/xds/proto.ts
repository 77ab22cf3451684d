/** Small builders shared by the translators: durations, typed extension configs, sorted JSON. */
import { create, type DescMessage, type JsonObject, type JsonValue, type MessageInitShape } from "@bufbuild/protobuf";
import type { Any, Duration } from "@bufbuild/protobuf/wkt";
import { ApiVersion, ConfigSourceSchema, type ConfigSource } from "../../generated/envoy/config/core/v3/config_source_pb.js";
import { pack } from "../envoy/any.ts";
import type { GenerationCache } from "../model/generation-cache.ts";
import { contentKey, keyedByIdentity } from "./content-key.ts";

export function duration(ms: number): Duration {
  return { $typeName: "google.protobuf.Duration", seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

/** Builds and packs a message into Any in one step. */
export function packed<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): Any {
  return pack(schema, create(schema, init));
}

/**
 * The extension configs of the gateway being translated, by type and content. A listener's filters
 * and access logs are the same on nearly every recompile, and building and encoding them again was
 * a third of making the listener; per-route configs (packed, typedExtensionConfig) are cached with
 * their routes instead, and keying thousands of them would slow a first compile. One cache per
 * gateway (its TranslateState's), so that compiles of other gateways in between do not end its
 * entries' generation; outside a translate, nothing is kept.
 */
let extensions: GenerationCache<Any> | undefined;

/** Runs `work` (a compile's translation) with `cache` as the extension configs' cache, starting its next generation. */
export function withExtensionCache<T>(cache: GenerationCache<Any>, work: () => T): T {
  const outer = extensions;
  extensions = cache;
  cache.nextGeneration();
  try {
    return work();
  } finally {
    extensions = outer;
  }
}

/**
 * `name` + `typed_config`, the shape of every Envoy extension (filters, access loggers, ...). The
 * config is the same frozen Any for the same content: shared by every message that holds it, a
 * write to one would change the others.
 */
export function typedExtension<Desc extends DescMessage>(name: string, schema: Desc, init: MessageInitShape<Desc>) {
  const made = () => keyedByIdentity(Object.freeze(packed(schema, init)));
  const value = extensions ? extensions.get(`${schema.typeName}\0${contentKey(init)}`, made) : made();
  return { name, configType: { case: "typedConfig" as const, value } };
}

/**
 * Copies JSON with object keys in code-point order. protobuf-es writes Struct and map fields in
 * insertion order, so this is what keeps those bytes independent of how the input was ordered.
 */
export function sortedJson<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => sortedJson(item)) as T;
  if (value === null || typeof value !== "object") return value;
  const sorted: JsonObject = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortedJson((value as JsonObject)[key]!);
  return sorted as T;
}

/** A record with keys inserted in code-point order (for protobuf map fields). */
export function sortedRecord<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const record: Record<string, V> = {};
  for (const [key, value] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) record[key] = value;
  return record;
}

/** An `envoy.config.core.v3.TypedExtensionConfig` (path matchers, rewriters): `typed_config` is a plain field there. */
export function typedExtensionConfig<Desc extends DescMessage>(name: string, schema: Desc, init: MessageInitShape<Desc>) {
  return { name, typedConfig: packed(schema, init) };
}

/** `typedExtensionConfig` for a listener's configs (early header mutations, matcher inputs): the config shared per content, as `typedExtension`'s. */
export function sharedExtensionConfig<Desc extends DescMessage>(name: string, schema: Desc, init: MessageInitShape<Desc>) {
  return { name, typedConfig: typedExtension(name, schema, init).configType.value };
}

/** Resources fetched from the control plane over the ADS stream. */
export const ADS: ConfigSource = create(ConfigSourceSchema, { configSourceSpecifier: { case: "ads", value: {} }, resourceApiVersion: ApiVersion.V3 });

/** Text matched literally inside an RE2 regex (Envoy's safe_regex). */
export const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
