/**
 * The prototype of every config object: empty and frozen, itself without a prototype, so a name
 * looked up in the model (a provider called `constructor`) is only found when the user defined it.
 * Not `Object.create(null)`: V8 keeps objects without a prototype in dictionary mode, and every
 * later stage reads them two to three times slower.
 */
export const PLAIN_PROTOTYPE: object = Object.freeze(Object.create(null));

/** Whether an object with this prototype is plain data: a literal, one without a prototype, or a config object. */
export const isPlainPrototype = (prototype: unknown): boolean => prototype === Object.prototype || prototype === null || prototype === PLAIN_PROTOTYPE;
