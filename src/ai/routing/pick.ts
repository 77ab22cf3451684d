/**
 * Which target of an alias a request starts with: picked by weight from a hash of the request id,
 * so a request always picks the same target (a client's retry of it too) and many requests split
 * by the weights. Envoy gives every request an id; one without (a test's hand-made stream) picks at random.
 */
import type { AiModelIR } from "../../model/ir.ts";

/** FNV-1a: fast, and uniform enough over request ids (UUIDs) to split traffic. */
function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The index in `model.targets` of the target a request starts with. */
export function pickTarget(model: Pick<AiModelIR, "targets">, requestId: string): number {
  const targets = model.targets;
  if (targets.length === 1) return 0;
  const total = targets.reduce((sum, target) => sum + target.weight, 0);
  // The compiler refuses an alias whose weights are all 0 (PCL4150); the first target then is a safe answer.
  if (total <= 0) return 0;
  const point = (requestId === "" ? Math.random() : hash32(requestId) / 2 ** 32) * total;
  let reached = 0;
  for (const [index, target] of targets.entries()) {
    reached += target.weight;
    if (point < reached) return index;
  }
  return targets.findLastIndex((target) => target.weight > 0);
}
