/**
 * Structured logs: one JSON object per line when stdout is not a terminal (for log shippers), a
 * readable line on a terminal. Callers pass fields, never whole configs or credentials.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  readonly json?: boolean;
  readonly level?: LogLevel;
  readonly write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const json = options.json ?? !process.stdout.isTTY;
  const threshold = LEVELS[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (LEVELS[level] < threshold) return;
    if (json) {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields }));
    } else {
      const extra = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
      write([level.toUpperCase().padEnd(5), message, ...extra].join(" "));
    }
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** For tests and embedding: drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
