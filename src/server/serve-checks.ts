/**
 * Checks a compiled snapshot must pass before this control plane pushes it, beyond compile's: what
 * depends on the host Envoy runs on. Today that is the access-log file, which Envoy opens when it
 * takes the listener; a directory that does not exist (or that Envoy cannot write) makes it NACK
 * every listener.
 *
 * Before those, the verifier (src/verify) proves the snapshot itself sound, as compile does: a
 * violation is a compiler bug, and the snapshot is not pushed.
 *
 * compile --check cannot know the Envoy host, so it skips the host checks. The control plane decides by its
 * xDS address: listening on loopback only, every Envoy it serves runs on this host (`up`, or
 * `serve` beside its proxy), so a path that fails here fails there — an error, never pushed. Served
 * to the network, the Envoys may be elsewhere with their own file systems: a warning.
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Diagnostic } from "../config/diagnostics.ts";
import type { Locate } from "../config/locate.ts";
import type { GatewayIR } from "../model/ir.ts";
import { Reporter } from "../model/report.ts";
import { verifySnapshot } from "../verify/verify.ts";
import type { Snapshot } from "../xds/snapshot.ts";

export interface ServeCheckInput {
  readonly file: string;
  readonly ir?: GatewayIR;
  readonly snapshot?: Snapshot;
  readonly locate?: Locate;
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? "unknown error";
}

/** Why this process could not open `path` for appending, or undefined when it could. */
function unwritable(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return `${path} is a directory`;
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (error) {
    if (errnoOf(error) !== "ENOENT") return `${path} cannot be written (${errnoOf(error)})`;
  }
  const directory = dirname(path);
  try {
    if (!statSync(directory).isDirectory()) return `${directory} is not a directory`;
    accessSync(directory, constants.W_OK);
    return undefined;
  } catch (error) {
    return errnoOf(error) === "ENOENT" ? `its directory ${directory} does not exist` : `its directory ${directory} cannot be written (${errnoOf(error)})`;
  }
}

/** The findings of the serve-time checks: the verifier's (always errors), then the host's (errors when `envoysOnThisHost`, see above). */
export function serveChecks(input: ServeCheckInput, envoysOnThisHost: boolean): Diagnostic[] {
  const violations = input.snapshot && input.ir ? verifySnapshot(input.snapshot, input.ir) : [];
  return [...violations, ...hostChecks(input, envoysOnThisHost)];
}

function hostChecks(input: ServeCheckInput, envoysOnThisHost: boolean): Diagnostic[] {
  const destination = input.ir?.accessLog.destination;
  if (!destination || destination === "stdout") return [];
  // Envoy resolves a relative path against its working directory: the one `up` starts it in.
  const problem = unwritable(resolve(destination));
  if (!problem) return [];
  const report = new Reporter(input.file, input.locate);
  const message = `The access log ${destination} cannot be written here: ${problem}. Envoy would reject every listener of this gateway.`;
  const hint = "Create the directory (writable by the user Envoy runs as), or log to stdout.";
  if (envoysOnThisHost) report.error("PCL4077", message, ["audit", "accessLog"], hint);
  else report.warning("PCL4077", `${message.slice(0, -1)} if the Envoys run on this host (xDS is served beyond loopback, so they may not).`, ["audit", "accessLog"], hint);
  return report.diagnostics;
}
