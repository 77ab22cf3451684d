/**
 * How one list became the next by position: the items that went and the items that came. A pass
 * that keeps a list beside the routes (one policy subject per route, say) rebuilds it for the next
 * compile from these positions, copying the runs between them, so a one-route edit never looks at
 * the thousands of items it kept — at that size, reading each one is what a recompile costs.
 */
export interface ListEdit {
  /** Ascending positions, in the old list, of the items that went. */
  readonly removedAt: readonly number[];
  /** Ascending positions, in the new list, of the items that came. */
  readonly addedAt: readonly number[];
}

/** The old list edited: the items at `removedAt` left out, `added[i]` put at `addedAt[i]`. */
export function applyEdit<T>(list: readonly T[], edit: ListEdit, added: readonly T[]): T[] {
  const { removedAt, addedAt } = edit;
  const out: T[] = [];
  let removed = 0;
  let next = 0;
  for (let from = 0; from < list.length; from++) {
    while (next < added.length && out.length === addedAt[next]) out.push(added[next++]!);
    if (removed < removedAt.length && removedAt[removed] === from) removed++;
    else out.push(list[from]!);
  }
  while (next < added.length) out.push(added[next++]!);
  return out;
}

/** How many of `sorted` (ascending) are below `value`. */
function countBelow(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Where the item at `position` of the old list is in the new one; -1 when it went. */
export function movedTo(position: number, edit: ListEdit): number {
  const { removedAt, addedAt } = edit;
  const below = countBelow(removedAt, position);
  if (removedAt[below] === position) return -1;
  const kept = position - below;
  // The i-th added item has addedAt[i] - i kept items before it (non-decreasing in i): those with at most `kept` come first.
  let low = 0;
  let high = addedAt.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (addedAt[middle]! - middle <= kept) low = middle + 1;
    else high = middle;
  }
  return kept + low;
}
