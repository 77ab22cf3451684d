/** Parsing of the network options that several commands share (--xds, --xds-port, ...). */
import { UsageError } from "./command.ts";

/** A port flag; `min` 1 where 0 ("any free port") would leave nothing to connect to. */
export function parsePort(flag: string, text: string, min = 0): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < min || port > 65535) throw new UsageError(`${flag} must be a port number from ${min} to 65535, got "${text}"`);
  return port;
}

/** HOST:PORT, with [v6]:PORT for IPv6. */
export function parseHostPort(flag: string, text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
  if (!match) throw new UsageError(`${flag} must look like HOST:PORT (e.g. 127.0.0.1:18000), got "${text}"`);
  return { host: (match[1] ?? match[2])!, port: parsePort(flag, match[3]!) };
}
