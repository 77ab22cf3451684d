import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";
import { basename } from "node:path";
import type { GatewayConfig } from "../config/types.ts";
import { UserError } from "../errors.ts";
import { UsageError } from "./command.ts";
import { parsePort } from "./net-args.ts";

/** Prefix of the temp directory holding `up`'s Envoy bootstrap: it marks Envoys that `up` started. */
export const UP_DIR_PREFIX = "portcullis-up-";

export interface NeededPort {
  readonly host: string;
  readonly port: number;
  /** What needs the port, e.g. `Envoy's admin interface`. */
  readonly what: string;
  /** How to use another port instead, e.g. `choose another port with --envoy-admin-port`. */
  readonly fix: string;
}

/**
 * Whether something already listens on host:port, by binding it for a moment. Other failures (an
 * address that is not this machine's, a privileged port) are left for Envoy to report.
 */
function inUse(host: string, port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", (error) => resolve((error as NodeJS.ErrnoException).code === "EADDRINUSE"));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

/** Inodes of the sockets listening on a TCP port, from the kernel's tables (Linux). */
function listeningSockets(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readOr(table, "").split("\n").slice(1)) {
      // Columns: sl, local address (hex ADDR:PORT), remote address, state (0A = LISTEN), ..., inode (10th).
      const fields = line.trim().split(/\s+/);
      if (fields[3] === "0A" && Number.parseInt(fields[1]?.split(":")[1] ?? "", 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** The process holding one of these sockets, as pid and command line; only this user's processes are visible. */
function processHolding(inodes: ReadonlySet<string>): { pid: number; commandLine: string[] } | undefined {
  if (inodes.size === 0) return undefined;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    for (const fd of fds) {
      let target = "";
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) return { pid: Number(pid), commandLine: readOr(`/proc/${pid}/cmdline`, "").split("\0").filter(Boolean) };
    }
  }
  return undefined;
}

/** One line per taken port: what needs it, who holds it when that can be found, and the two ways out. */
function describeTaken(needed: NeededPort): string {
  const address = `${needed.host.includes(":") ? `[${needed.host}]` : needed.host}:${needed.port}`;
  const holder = processHolding(listeningSockets(needed.port));
  if (!holder) return `  ${address} (${needed.what}) is in use by another process: stop it, or ${needed.fix}`;
  const byUp = holder.commandLine.some((arg) => arg.includes(`/${UP_DIR_PREFIX}`));
  const who = byUp ? `the Envoy of another 'portcullis up' (pid ${holder.pid})` : `pid ${holder.pid} (${basename(holder.commandLine[0] ?? "unknown")})`;
  return `  ${address} (${needed.what}) is held by ${who}: stop it (kill ${holder.pid}), or ${needed.fix}`;
}

/**
 * Fails, naming each one, when ports `up` is about to give Envoy are taken. Envoy would fail on
 * them too, but later and less clearly: a taken admin port could even be answered by the Envoy
 * holding it, which would pass for the one just started.
 */
export async function ensurePortsFree(ports: readonly NeededPort[]): Promise<void> {
  const taken: NeededPort[] = [];
  for (const needed of ports) if (await inUse(needed.host, needed.port)) taken.push(needed);
  if (taken.length > 0) throw new UserError(`ports that up needs are in use:\n${taken.map(describeTaken).join("\n")}`);
}

/** A port nothing listens on at the moment, on loopback (the kernel picks it). */
export function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The config with its audit receiver on `port` when the config leaves the receiver to its default:
 * `up` owns that receiver, and a fixed default port would make two `up`s on one machine collide.
 */
export function withUpAuditReceiver(config: GatewayConfig, port: number): GatewayConfig {
  if (config.audit?.store === false || config.audit?.receiver !== undefined) return config;
  return { ...config, audit: { ...config.audit, receiver: `127.0.0.1:${port}` } };
}

/** Listener ports given on `up`'s command line, by listener name. */
export type ListenerPorts = ReadonlyMap<string, number>;

/**
 * `--port N` (the config's only listener) and `--listener-port NAME=N` (any listener, repeatable):
 * a quick local run on other ports without editing the config. Checked against the config's
 * listeners, so a typo in a name is a usage error rather than an ignored flag.
 */
export function listenerPorts(config: GatewayConfig, port: string | undefined, named: readonly string[]): ListenerPorts {
  const listeners = config.gateway.listeners.map((listener) => listener.name);
  const ports = new Map<string, number>();
  if (port !== undefined) {
    if (listeners.length !== 1) throw new UsageError(`--port sets the port of a config's only listener, and this one has ${listeners.length} (${listeners.join(", ")}): use --listener-port NAME=PORT`);
    ports.set(listeners[0]!, parsePort("--port", port, 1));
  }
  for (const text of named) {
    const [name = "", value = ""] = text.split("=", 2);
    if (!text.includes("=")) throw new UsageError(`--listener-port must look like NAME=PORT (e.g. ${listeners[0] ?? "web"}=8081), got "${text}"`);
    if (!listeners.includes(name)) throw new UsageError(`--listener-port names listener '${name}', which the config does not have (listeners: ${listeners.join(", ")})`);
    ports.set(name, parsePort("--listener-port", value, 1));
  }
  return ports;
}

/** The config with its listeners on the ports the command line gave. */
export function withListenerPorts(config: GatewayConfig, ports: ListenerPorts): GatewayConfig {
  if (ports.size === 0) return config;
  const listeners = config.gateway.listeners.map((listener) => ({ ...listener, port: ports.get(listener.name) ?? listener.port }));
  return { ...config, gateway: { ...config.gateway, listeners } };
}
