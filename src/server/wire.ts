/**
 * Serialize-once encoding of xDS responses. Protobuf lets fields appear in any order and repeated
 * fields be written piecewise, so a response is assembled from cached slices (each resource packed
 * into an Any once, each Delta entry once). A response is then built once per snapshot, type and
 * subscription (SotW) or change set (Delta) as a complete gRPC message — the 5-byte length prefix,
 * the DiscoveryResponse and its nonce — and those same bytes are written to every stream that needs
 * them (see FramedResponse for why a shared nonce is safe). Encoding work and the memory of queued
 * responses therefore do not grow with the number of connected Envoys.
 */
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { XdsResource } from "../xds/snapshot.ts";

/** Counts real encoding work (cache misses); tests use it to prove serialize-once. */
export const encodeCounter = { anys: 0, sotwBodies: 0, deltaEntries: 0, frames: 0 };

// Field numbers from envoy/service/discovery/v3/discovery.proto and google/protobuf/any.proto.
const ANY = { typeUrl: 1, value: 2 } as const;
const SOTW = { versionInfo: 1, resources: 2, typeUrl: 4 } as const;
const DELTA = { systemVersionInfo: 1, resources: 2, typeUrl: 4, removedResources: 6 } as const;
const RESOURCE = { version: 1, resource: 2, name: 3 } as const;
/** `nonce` is field 5 of both DiscoveryResponse and DeltaDiscoveryResponse. */
const NONCE_TAG = (5 << 3) | WireType.LengthDelimited;
/** gRPC's message prefix: a compressed flag byte and a 4-byte big-endian length. */
const GRPC_PREFIX = 5;

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

let lastNonce = 0;

/**
 * A DiscoveryResponse or DeltaDiscoveryResponse framed for gRPC, nonce included: what a stream
 * writes. Its nonce comes from one process-wide counter, so it is new on every stream that was not
 * sent this very response before — and a nonce only has to tell apart the responses of one type on
 * one stream. A stream that is sent a response again (an endpoint re-send, a revert) takes a copy
 * under a fresh nonce (`renonced`): see AdsSession.send.
 */
export class FramedResponse {
  readonly nonce: number;
  /** The bytes as they go on the wire: gRPC prefix, then the message. */
  readonly frame: Buffer;
  readonly #bodyLength: number;
  #copy: FramedResponse | undefined;

  /** `body`: the message's fields except the nonce, in slices that are concatenated. */
  constructor(body: readonly Uint8Array[]) {
    encodeCounter.frames++;
    this.nonce = ++lastNonce;
    const nonce = this.nonceText;
    this.#bodyLength = body.reduce((sum, part) => sum + part.length, 0);
    const messageLength = this.#bodyLength + 2 + nonce.length; // tag, length (< 128), ASCII digits
    const frame = Buffer.allocUnsafe(GRPC_PREFIX + messageLength);
    frame.writeUInt8(0, 0); // not compressed
    frame.writeUInt32BE(messageLength, 1);
    let at = GRPC_PREFIX;
    for (const part of body) {
      frame.set(part, at);
      at += part.length;
    }
    frame[at++] = NONCE_TAG;
    frame[at++] = nonce.length;
    frame.write(nonce, at, "latin1");
    this.frame = frame;
  }

  /** The nonce as sent and echoed by the client. */
  get nonceText(): string {
    return this.nonce.toString(36);
  }

  /** The message without the gRPC prefix (what grpc-js frames itself when it must). */
  get message(): Buffer {
    return this.frame.subarray(GRPC_PREFIX);
  }

  /**
   * This response, or the same under a nonce above `nonce`. The latest copy is kept for the next
   * stream that needs one (a revert re-sends a response to every stream: one copy, not one per
   * stream), but only one: a client re-subscribing in a loop must not grow a chain of copies.
   */
  renonced(nonce: number): FramedResponse {
    if (this.nonce > nonce) return this;
    if (!this.#copy || this.#copy.nonce <= nonce) this.#copy = new FramedResponse([this.frame.subarray(GRPC_PREFIX, GRPC_PREFIX + this.#bodyLength)]);
    return this.#copy;
  }
}

/** Fields 1, 2 and 4 of a DiscoveryResponse: everything but the nonce. */
export function encodeSotwBody(versionInfo: string, typeUrl: string, resources: readonly XdsResource[]): Uint8Array {
  encodeCounter.sotwBodies++;
  const writer = new BinaryWriter().tag(SOTW.versionInfo, WireType.LengthDelimited).string(versionInfo);
  for (const resource of resources) writer.tag(SOTW.resources, WireType.LengthDelimited).bytes(anyBytes(resource));
  return writer.tag(SOTW.typeUrl, WireType.LengthDelimited).string(typeUrl).finish();
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
}

/** A DeltaDiscoveryResponse from cached resource entries. */
export function deltaResponse(parts: DeltaResponseParts): FramedResponse {
  const head = new BinaryWriter()
    .tag(DELTA.systemVersionInfo, WireType.LengthDelimited).string(parts.systemVersionInfo)
    .tag(DELTA.typeUrl, WireType.LengthDelimited).string(parts.typeUrl);
  for (const name of parts.removed) head.tag(DELTA.removedResources, WireType.LengthDelimited).string(name);
  return new FramedResponse([head.finish(), ...parts.resources.map(deltaEntry)]);
}
