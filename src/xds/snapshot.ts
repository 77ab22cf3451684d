import { createHash } from "node:crypto";
import { toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { typeUrl } from "../envoy/any.ts";

/**
 * One Envoy resource, encoded exactly once. Its version is a hash of those bytes, so the same
 * content has the same version on every machine and every control-plane replica.
 */
export interface XdsResource<Desc extends DescMessage = DescMessage> {
  readonly typeUrl: string;
  readonly name: string;
  readonly schema: Desc;
  readonly message: MessageShape<Desc>;
  /** The message's canonical binary encoding (not wrapped in Any). */
  readonly bytes: Uint8Array;
  /** Content hash of `bytes`. */
  readonly version: string;
}

/**
 * A complete, immutable set of resources for one gateway: type URL → resource name → resource,
 * both levels sorted. The snapshot version is derived from the resource versions only.
 */
export interface Snapshot {
  readonly version: string;
  readonly resources: ReadonlyMap<string, ReadonlyMap<string, XdsResource>>;
}

/** Short, stable content hash used for resource and snapshot versions. */
export function contentHash(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  // Runs of strings go in as one: the same bytes, and a snapshot's version hashes thousands of them.
  let text = "";
  for (const part of parts) {
    if (typeof part === "string") {
      text += `${part}\0`;
      continue;
    }
    if (text) hash.update(text);
    text = "";
    hash.update(part);
    hash.update("\0");
  }
  if (text) hash.update(text);
  return hash.digest("hex").slice(0, 16);
}

/**
 * Encodes a resource once. Callers must build map fields with sorted keys: protobuf-es writes map
 * entries in insertion order, and determinism of the bytes depends on it.
 */
export function makeResource<Desc extends DescMessage>(schema: Desc, name: string, message: MessageShape<Desc>): XdsResource<Desc> {
  const bytes = toBinary(schema, message);
  return { typeUrl: typeUrl(schema), name, schema, message, bytes, version: contentHash(bytes) };
}

/**
 * Wraps a message whose encoding was assembled from cached parts (see wire.ts). `bytes` must be
 * a valid encoding of `message` — field order may differ from toBinary's, which parsers accept —
 * and must itself be deterministic, since the version is its hash.
 */
export function makeResourceFromBytes<Desc extends DescMessage>(schema: Desc, name: string, message: MessageShape<Desc>, bytes: Uint8Array): XdsResource<Desc> {
  return { typeUrl: typeUrl(schema), name, schema, message, bytes, version: contentHash(bytes) };
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Each type's resources of a snapshot (sorted by name), with their hash: what the snapshot version is made of. */
const typeHashes = new WeakMap<ReadonlyMap<string, XdsResource>, string>();

/** `named` sorted by name, and its hash — the last snapshot's, when it holds exactly these resources (a recompile changes few types). */
function sortedType(typeUrl: string, named: ReadonlyMap<string, XdsResource>, last: ReadonlyMap<string, XdsResource> | undefined): ReadonlyMap<string, XdsResource> {
  if (last?.size === named.size && typeHashes.has(last) && [...named].every(([name, resource]) => last.get(name) === resource)) return last;
  const names = [...named.keys()].sort(byCodePoint);
  const sorted = new Map(names.map((name) => [name, named.get(name)!]));
  typeHashes.set(sorted, contentHash(typeUrl, ...names.flatMap((name) => [name, named.get(name)!.version])));
  return sorted;
}

/**
 * Groups resources by type, sorts them, rejects duplicates, and derives the snapshot version from
 * each type's hash of its names and versions. With `last`, the snapshot this one follows, a type
 * whose resources are all the same objects is taken from it as it is.
 */
export function buildSnapshot(resources: Iterable<XdsResource>, last?: Snapshot): Snapshot {
  const byType = new Map<string, Map<string, XdsResource>>();
  for (const resource of resources) {
    let named = byType.get(resource.typeUrl);
    if (!named) byType.set(resource.typeUrl, (named = new Map()));
    if (named.has(resource.name)) throw new Error(`duplicate ${resource.typeUrl} resource named "${resource.name}"`);
    named.set(resource.name, resource);
  }
  const sorted = new Map<string, ReadonlyMap<string, XdsResource>>();
  const versionParts: string[] = [];
  for (const typeUrl of [...byType.keys()].sort(byCodePoint)) {
    const named = sortedType(typeUrl, byType.get(typeUrl)!, last?.resources.get(typeUrl));
    sorted.set(typeUrl, named);
    versionParts.push(typeUrl, typeHashes.get(named)!);
  }
  return { version: contentHash(...versionParts), resources: sorted };
}
