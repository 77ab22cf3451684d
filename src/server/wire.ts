/**
 * Serialize-once encoding of xDS responses. Protobuf lets fields appear in any order and repeated
 * fields be written piecewise, so a response is the concatenation of cached slices (each resource
 * packed into an Any once, each SotW body once per type/version/subscription) plus the one field
 * that differs per stream: the nonce. Encoding work therefore does not grow with the number of
 * connected Envoys.
 */
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { XdsResource } from "../xds/snapshot.ts";

/** Counts real encoding work (cache misses); tests use it to prove serialize-once. */
export const encodeCounter = { anys: 0, sotwBodies: 0, deltaEntries: 0 };

// Field numbers from envoy/service/discovery/v3/discovery.proto and google/protobuf/any.proto.
const ANY = { typeUrl: 1, value: 2 } as const;
const SOTW = { versionInfo: 1, resources: 2, typeUrl: 4, nonce: 5 } as const;
const DELTA = { systemVersionInfo: 1, resources: 2, typeUrl: 4, nonce: 5, removedResources: 6 } as const;
const RESOURCE = { version: 1, resource: 2, name: 3 } as const;

const anyCache = new WeakMap<XdsResource, Uint8Array>();
const deltaEntryCache = new WeakMap<XdsResource, Uint8Array>();

/** The resource as an encoded `google.protobuf.Any` (type_url + the resource's cached bytes). */
function anyBytes(resource: XdsResource): Uint8Array {
  let bytes = anyCache.get(resource);
  if (!bytes) {
    encodeCounter.anys++;
    bytes = new BinaryWriter()
      .tag(ANY.typeUrl, WireType.LengthDelimited).string(resource.typeUrl)
      .tag(ANY.value, WireType.LengthDelimited).bytes(resource.bytes)
      .finish();
    anyCache.set(resource, bytes);
  }
  return bytes;
}

/** Fields 1, 2 and 4 of a DiscoveryResponse: everything but the per-stream nonce. */
export function encodeSotwBody(versionInfo: string, typeUrl: string, resources: readonly XdsResource[]): Uint8Array {
  encodeCounter.sotwBodies++;
  const writer = new BinaryWriter().tag(SOTW.versionInfo, WireType.LengthDelimited).string(versionInfo);
  for (const resource of resources) writer.tag(SOTW.resources, WireType.LengthDelimited).bytes(anyBytes(resource));
  return writer.tag(SOTW.typeUrl, WireType.LengthDelimited).string(typeUrl).finish();
}

/** A cached SotW body with this stream's nonce appended: a complete DiscoveryResponse. */
export function sotwResponseBytes(body: Uint8Array, nonce: string): Buffer {
  return Buffer.concat([body, new BinaryWriter().tag(SOTW.nonce, WireType.LengthDelimited).string(nonce).finish()]);
}

/** One `resources` entry of a DeltaDiscoveryResponse (tag included), encoded once per resource. */
function deltaEntry(resource: XdsResource): Uint8Array {
  let bytes = deltaEntryCache.get(resource);
  if (!bytes) {
    encodeCounter.deltaEntries++;
    const message = new BinaryWriter()
      .tag(RESOURCE.name, WireType.LengthDelimited).string(resource.name)
      .tag(RESOURCE.version, WireType.LengthDelimited).string(resource.version)
      .tag(RESOURCE.resource, WireType.LengthDelimited).bytes(anyBytes(resource))
      .finish();
    bytes = new BinaryWriter().tag(DELTA.resources, WireType.LengthDelimited).bytes(message).finish();
    deltaEntryCache.set(resource, bytes);
  }
  return bytes;
}

export interface DeltaResponseParts {
  readonly systemVersionInfo: string;
  readonly typeUrl: string;
  readonly resources: readonly XdsResource[];
  readonly removed: readonly string[];
  readonly nonce: string;
}

/** A complete DeltaDiscoveryResponse from cached resource entries. */
export function deltaResponseBytes(parts: DeltaResponseParts): Buffer {
  const head = new BinaryWriter()
    .tag(DELTA.systemVersionInfo, WireType.LengthDelimited).string(parts.systemVersionInfo)
    .tag(DELTA.typeUrl, WireType.LengthDelimited).string(parts.typeUrl)
    .tag(DELTA.nonce, WireType.LengthDelimited).string(parts.nonce);
  for (const name of parts.removed) head.tag(DELTA.removedResources, WireType.LengthDelimited).string(name);
  return Buffer.concat([head.finish(), ...parts.resources.map(deltaEntry)]);
}
