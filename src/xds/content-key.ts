/**
 * A string that is equal for two message inits (protobuf-es `MessageInitShape`s, plain data with
 * bigints, byte arrays and messages made by `create`) exactly when they encode the same: what a
 * translator caches an encoding under, so an unchanged extension config or listener is not built
 * and encoded again on every recompile. Key order counts (map fields are written in insertion order).
 */
export function contentKey(init: unknown): string {
  return JSON.stringify(init, tagged);
}

/** Objects that stand for their content by identity, each with its number. */
const numbered = new WeakMap<object, number>();
let nextNumber = 0;

/**
 * Marks `value` — made once for its content and never written to (a shared extension config) — as
 * keyed by its identity: a key of an init holding it names it instead of writing it out (a
 * listener's key would otherwise write out every filter's encoded bytes). The same content made
 * again is another object and another key: a cache miss, never a wrong hit.
 */
export function keyedByIdentity<T extends object>(value: T): T {
  numbered.set(value, nextNumber++);
  return value;
}

// Tags are objects under a key no init has: a NUL is in no field name, and JSON gives a string no other way to become an object.
function tagged(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null) {
    const number = numbered.get(value);
    if (number !== undefined) return { "\0same": number };
  }
  if (typeof value === "bigint") return { "\0bigint": String(value) };
  if (value instanceof Uint8Array) return { "\0bytes": Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  // JSON writes NaN and the infinities as null, which is also what an unset field looks like.
  if (typeof value === "number" && !Number.isFinite(value)) return { "\0number": String(value) };
  return value;
}
