/** Levenshtein distance, for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The closest candidate within a third of the name's length, if any. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.ceil(name.length / 3)) + 1;
  for (const candidate of [...candidates].sort()) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** "did you mean 'x'?" when a near name exists, else a list of what is defined. */
export function suggestion(name: string, candidates: readonly string[], noun: string): string {
  const near = closest(name, candidates);
  if (near) return `did you mean '${near}'?`;
  if (candidates.length === 0) return `no ${noun} is defined yet; add one first`;
  const list = [...candidates].sort().slice(0, 8).map((c) => `'${c}'`).join(", ");
  return `defined ${noun}s: ${list}${candidates.length > 8 ? ", ..." : ""}`;
}
