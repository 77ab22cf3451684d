/**
 * A config file's contents as a hot reload compares them (yaml-reread.ts): its text, or — for a
 * file of ASCII only, where a byte is a character — its bytes at the same offsets. A reload of a
 * large file compares and cuts the bytes it read, and makes the whole text (half a megabyte of new
 * heap at 3,000 routes, more than the read itself costs) only when something needs it: a finding's
 * position, or a read of the whole file.
 */
import { isAscii } from "node:buffer";
import { ownString } from "./plain-data.ts";

export interface FileContent {
  readonly length: number;
  /** The character code at `at`. */
  code(at: number): number;
  /** The text of [start, end): the whole text when no bounds are given. Its own string, never a view of a larger one. */
  text(start?: number, end?: number): string;
  /** Whether `count` characters from `start` read as those from `otherStart` in `other`. */
  same(start: number, other: FileContent, otherStart: number, count: number): boolean;
}

class TextContent implements FileContent {
  readonly whole: string;

  constructor(whole: string) {
    this.whole = whole;
  }

  get length(): number {
    return this.whole.length;
  }

  code(at: number): number {
    return this.whole.charCodeAt(at);
  }

  text(start = 0, end = this.whole.length): string {
    return start === 0 && end === this.whole.length ? this.whole : ownString(this.whole.slice(start, end));
  }

  same(start: number, other: FileContent, otherStart: number, count: number): boolean {
    // Equal slices compare as one native memcmp.
    const theirs = other instanceof TextContent ? other.whole.slice(otherStart, otherStart + count) : other.text(otherStart, otherStart + count);
    return this.whole.slice(start, start + count) === theirs;
  }
}

class AsciiContent implements FileContent {
  readonly bytes: Buffer;
  #whole: string | undefined;

  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  get length(): number {
    return this.bytes.length;
  }

  code(at: number): number {
    return this.bytes[at] ?? Number.NaN;
  }

  text(start = 0, end = this.bytes.length): string {
    if (start === 0 && end === this.bytes.length) return (this.#whole ??= this.bytes.toString("latin1"));
    return this.bytes.toString("latin1", start, end);
  }

  same(start: number, other: FileContent, otherStart: number, count: number): boolean {
    if (other instanceof AsciiContent) return this.bytes.compare(other.bytes, otherStart, otherStart + count, start, start + count) === 0;
    return this.text(start, start + count) === other.text(otherStart, otherStart + count);
  }
}

/** The contents of a file's text. */
export const textContent = (text: string): FileContent => new TextContent(text);

/** The contents of a file read as bytes: kept as bytes when they are ASCII, else decoded as UTF-8. */
export const fileContent = (bytes: Buffer): FileContent => (isAscii(bytes) ? new AsciiContent(bytes) : new TextContent(bytes.toString("utf8")));
