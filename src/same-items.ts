/** Whether two lists hold the same objects in the same order: how work reused by identity checks what it was made from. */
export function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a === b || (a.length === b.length && a.every((item, index) => item === b[index]));
}
