/**
 * Binary and Envoy-flavoured proto3 JSON encoding. JSON goes through a registry, so Any fields
 * (typed_config, xDS resources, ...) render as `{"@type": "type.googleapis.com/...", ...}`. The
 * default registry holds the types Portcullis packs (known-types.ts); pass `envoyRegistry`
 * (registry.ts) for any other Envoy type.
 */
import { fromBinary as pbFromBinary, fromJson, fromJsonString, toBinary as pbToBinary, toJson } from "@bufbuild/protobuf";
import type { DescMessage, JsonObject, JsonReadOptions, JsonValue, JsonWriteOptions, MessageShape, Registry } from "@bufbuild/protobuf";
import { knownTypes } from "./known-types.ts";

/**
 * Protobuf binary encoding. Deterministic for a given message only if map fields were filled in
 * a deterministic (e.g. sorted) key order: protobuf-es writes map entries in insertion order.
 */
export function toBinary<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Uint8Array {
  return pbToBinary(schema, message);
}

export function fromBinary<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  return pbFromBinary(schema, bytes);
}

/** Where the types inside Any fields are looked up. Default: {@link knownTypes}. */
interface RegistryOption {
  readonly registry?: Registry;
}

export interface EnvoyJsonOptions extends RegistryOption {
  /**
   * Field names as in the .proto files (`typed_config`), like Envoy's YAML, docs and config_dump.
   * Default true; false gives lowerCamelCase (`typedConfig`). Envoy accepts both.
   */
  readonly protoFieldNames?: boolean;
  /** Emit fields that have their default value. Default false. */
  readonly emitDefaults?: boolean;
}

function writeOptions(options: EnvoyJsonOptions | undefined): JsonWriteOptions {
  return {
    registry: options?.registry ?? knownTypes,
    useProtoFieldName: options?.protoFieldNames ?? true,
    alwaysEmitImplicit: options?.emitDefaults ?? false,
    enumAsInteger: false,
  };
}

/** protobuf-es appends `@type` after the fields; Envoy (and people) read it first. */
function typeFirst(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(typeFirst);
  if (value === null || typeof value !== "object") return value;
  const out: JsonObject = {};
  const type = value["@type"];
  if (type !== undefined) out["@type"] = type;
  for (const [key, field] of Object.entries(value)) {
    if (key !== "@type") out[key] = typeFirst(field);
  }
  return out;
}

/**
 * Proto3 JSON as Envoy reads it (bootstrap files, `config_dump`), with `@type` on every Any
 * (written as the first key of its object).
 */
export function toEnvoyJson<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  options?: EnvoyJsonOptions,
): JsonValue {
  return typeFirst(toJson(schema, message, writeOptions(options)));
}

/** {@link toEnvoyJson} as a string; `indent` is passed to JSON.stringify. */
export function toEnvoyJsonString<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  options?: EnvoyJsonOptions & { readonly indent?: number },
): string {
  return JSON.stringify(toEnvoyJson(schema, message, options), null, options?.indent);
}

/**
 * Parses proto3 JSON (a parsed value or a string), resolving `@type` through the registry.
 * Unknown fields are rejected unless `ignoreUnknownFields` is set.
 */
export function fromEnvoyJson<Desc extends DescMessage>(
  schema: Desc,
  json: JsonValue | string,
  options?: RegistryOption & { readonly ignoreUnknownFields?: boolean },
): MessageShape<Desc> {
  const readOptions: Partial<JsonReadOptions> = {
    registry: options?.registry ?? knownTypes,
    ignoreUnknownFields: options?.ignoreUnknownFields ?? false,
  };
  return typeof json === "string" ? fromJsonString(schema, json, readOptions) : fromJson(schema, json, readOptions);
}
