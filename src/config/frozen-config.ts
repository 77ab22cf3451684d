/**
 * Config data that can no longer change: what the YAML loader reads is frozen all the way down, and
 * a reload shares every part the edit left alone with the config before it. Later stages remember
 * work by the identity of such parts (an unchanged route is resolved once) — only of these: a
 * config built in code may be changed in place between two compiles.
 */
const frozen = new WeakSet<object>();

/** Freezes one object or list whose children are frozen config already, and registers it. */
export function freezeConfig<T>(node: T): T {
  if (node !== null && typeof node === "object") {
    Object.freeze(node);
    frozen.add(node);
  }
  return node;
}

/** Whether `node` is frozen config, itself and everything in it. */
export function isFrozenConfig(node: unknown): node is object {
  return node !== null && typeof node === "object" && frozen.has(node);
}

/** A section the config leaves out, as the same frozen empty object every time: it never changed. */
export const NO_SECTION: Readonly<Record<string, never>> = freezeConfig({});
