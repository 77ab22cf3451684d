import type { ModelPath } from "./locate.ts";

/** A model path as people read it: `apis[0].versions.v1.routes[2].provider`. */
export function pathText(path: ModelPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text || "the config";
}

/** Turns an ajv instancePath (`/apis/0/name`) into a model path, restoring array indexes. */
export function fromPointer(pointer: string, root: unknown): (string | number)[] {
  if (pointer === "") return [];
  const path: (string | number)[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const segment = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
    path.push(segment);
    node = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[segment] : undefined;
  }
  return path;
}
