/**
 * A set of ids made from the last compile's by the few that came and went, without copying the
 * thousands that stayed: a base set shared between compiles and the differences since it was made.
 * The differences are folded into a new base once they are a sixteenth of it (or 64 ids), so a
 * look-up checks at most three sets and the copies cost O(routes) once per many edits.
 */

/** What the verifier asks of a set of ids. */
export interface IdSet {
  has(id: string): boolean;
}

export class IdLayers implements IdSet {
  readonly #base: ReadonlySet<string>;
  /** Ids in the set and not in the base. */
  readonly #added: ReadonlySet<string>;
  /** Ids of the base that are not in the set. */
  readonly #removed: ReadonlySet<string>;

  constructor(base: ReadonlySet<string>, added: ReadonlySet<string> = new Set(), removed: ReadonlySet<string> = new Set()) {
    this.#base = base;
    this.#added = added;
    this.#removed = removed;
  }

  has(id: string): boolean {
    return this.#added.has(id) || (!this.#removed.has(id) && this.#base.has(id));
  }

  /** This set without `gone` and with `came` (in that order: an id in both stays). */
  with(gone: Iterable<string>, came: Iterable<string>): IdLayers {
    const added = new Set(this.#added);
    const removed = new Set(this.#removed);
    for (const id of gone) {
      added.delete(id);
      if (this.#base.has(id)) removed.add(id);
    }
    for (const id of came) {
      removed.delete(id);
      if (!this.#base.has(id)) added.add(id);
    }
    if (added.size + removed.size <= Math.max(64, this.#base.size / 16)) return new IdLayers(this.#base, added, removed);
    const folded = new Set([...this.#base].filter((id) => !removed.has(id)));
    for (const id of added) folded.add(id);
    return new IdLayers(folded);
  }
}
