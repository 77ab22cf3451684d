import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** Exit codes shared by every command, documented in `portcullis --help`. */
export const ExitCode = {
  /** Clean: no error findings. */
  ok: 0,
  /** The config has findings (errors, or stale generated output under --check). */
  findings: 1,
  /** Wrong usage, or an internal error. */
  usage: 2,
} as const;

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full help text: usage line, options, examples. */
  readonly help: string;
  run(args: string[]): Promise<number>;
}

/** A mistake in how the CLI was called: printed with the command's usage, exit code 2, no stack. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Parses a command's arguments strictly (unknown options are errors) and turns Node's parse errors
 * into a UsageError, so a mistyped flag prints the command's help and exits 2.
 */
export function parseCommandArgs<const Options extends ParseArgsOptionsConfig>(args: string[], options: Options) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
