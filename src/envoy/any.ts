/** Packing Envoy messages into `google.protobuf.Any` (e.g. `typed_config`) and back. */
import type { DescMessage, Message, MessageShape, Registry } from "@bufbuild/protobuf";
import { anyIs, anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import type { Any } from "@bufbuild/protobuf/wkt";
import { knownTypes } from "./known-types.ts";

export type { Any };

export const TYPE_URL_PREFIX = "type.googleapis.com/";

/** `type.googleapis.com/<full message name>`, the type URL Envoy expects. */
export function typeUrl(schema: DescMessage): string {
  return TYPE_URL_PREFIX + schema.typeName;
}

/** The full message name of a type URL (the part after the last `/`). */
export function typeNameOfUrl(url: string): string {
  return url.slice(url.lastIndexOf("/") + 1);
}

/** Packs a message into an Any with type URL `type.googleapis.com/<full name>`. */
export function pack<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Any {
  return anyPack(schema, message);
}

/** Whether the Any holds a message of this schema. */
export function isPacked(any: Any, schema: DescMessage): boolean {
  return anyIs(any, schema);
}

/**
 * Unpacks an Any. With a schema, the Any must hold exactly that type; otherwise the type is looked
 * up in the registry: by default the types Portcullis packs ({@link knownTypes}), `envoyRegistry`
 * for any Envoy type. Throws if the type does not match or is unknown.
 */
export function unpack<Desc extends DescMessage>(any: Any, schema: Desc): MessageShape<Desc>;
export function unpack(any: Any, registry?: Registry): Message;
export function unpack(any: Any, schemaOrRegistry: DescMessage | Registry = knownTypes): Message {
  // Two calls, not one: anyUnpack's overloads take a schema or a registry, not their union.
  const message = schemaOrRegistry.kind === "message" ? anyUnpack(any, schemaOrRegistry) : anyUnpack(any, schemaOrRegistry);
  if (message === undefined) {
    const expected = schemaOrRegistry.kind === "message" ? `expected ${typeUrl(schemaOrRegistry)}` : "not in the registry";
    throw new Error(`cannot unpack Any with type URL "${any.typeUrl}" (${expected})`);
  }
  return message;
}
