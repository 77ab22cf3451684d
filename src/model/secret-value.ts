import { inspect } from "node:util";

const REDACTED = "[redacted]";

/**
 * A secret's bytes, read at compile time. It prints as [redacted] everywhere (JSON.stringify,
 * console.log, util.inspect, template strings) so dumping the IR never leaks it; only the
 * translator calls reveal(), to build the SDS Secret that goes to Envoy.
 */
export class SecretValue {
  readonly #bytes: Uint8Array;
  /** Where the secret came from, e.g. `env:TLS_KEY`: safe to show. */
  readonly source: string;

  constructor(source: string, bytes: Uint8Array) {
    this.source = source;
    this.#bytes = bytes;
  }

  reveal(): Uint8Array {
    return this.#bytes;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `SecretValue(${this.source}) ${REDACTED}`;
  }
}
