import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { hasErrors } from "../config/diagnostics.ts";
import { loadConfig } from "../config/load.ts";
import { createDevCa, issueLeaf, type KeyPair } from "../dev/dev-pki.ts";
import { UserError } from "../errors.ts";
import { planDevCerts, type DevCertsPlan, type DevFile } from "./dev-certs-plan.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { formatDiagnostics } from "./format.ts";

const HELP = `Usage: portcullis dev-certs [config]

Makes the secrets a config names, for running it on your machine: a local development CA, the
server certificate and key of every TLS listener (for its host names), the CA bundles listeners
and services are checked against, a client certificate for each mTLS caller (with its SPIFFE ID)
and for each service checked against that CA, a random key for each API-key consumer whose keys
are in a file, and dev.env with the environment variables the config reads (API keys made up,
provider keys as placeholders to replace). Needs the openssl CLI.

Files go where the config says, and only inside the config's directory; the CA (dev-ca.pem,
dev-ca.key), client certificates (clients/), service certificates (services/) and dev.env go
beside the config's first secret. A file that exists is kept, never overwritten: delete the
directory to start again. A directory it creates gets a .gitignore, so the keys stay out of git.
These are for development only: the CA key lies beside the config.

Then:  set -a; . secrets/dev.env; set +a; portcullis up

Exit codes: 0 made (or already there), 1 the config has errors or a certificate exists without its key
(or the other way round), 2 usage error or openssl missing.`;

const DEV_CA = { certificate: "dev-ca.pem", privateKey: "dev-ca.key" } as const;
const PRIVATE = 0o600;

const GITIGNORE = "# made by portcullis dev-certs: development keys never go into git\n*\n";

/**
 * Writes a new file (and its directory), never replacing one. A directory it creates keeps its
 * contents out of git, unless it lies in one that dev-certs made and ignored already.
 */
function writeNew(path: string, text: string, mode = 0o644): void {
  let created: string | undefined;
  for (let dir = dirname(path); !existsSync(dir); dir = dirname(dir)) created = dir;
  if (created) {
    mkdirSync(dirname(path), { recursive: true });
    const parentIgnore = join(dirname(created), ".gitignore");
    if (!existsSync(parentIgnore) || readFileSync(parentIgnore, "utf8") !== GITIGNORE) writeFileSync(join(created, ".gitignore"), GITIGNORE);
  }
  writeFileSync(path, text, { flag: "wx", mode });
}

/** The development CA in `home`: the one there, or a new one when neither of its files exists. */
function devCa(home: string, gateway: string): { ca: KeyPair; made: boolean } {
  const certificate = join(home, DEV_CA.certificate);
  const privateKey = join(home, DEV_CA.privateKey);
  if (existsSync(certificate) && existsSync(privateKey)) return { ca: { certificate: readFileSync(certificate, "utf8"), privateKey: readFileSync(privateKey, "utf8") }, made: false };
  if (existsSync(certificate) || existsSync(privateKey)) {
    throw new UserError(`${existsSync(certificate) ? certificate : privateKey} exists without its partner, so no certificate can be signed; delete it (and what it signed) and run dev-certs again.`);
  }
  const ca = createDevCa(`${gateway} development CA (portcullis dev-certs)`);
  writeNew(privateKey, ca.privateKey, PRIVATE);
  writeNew(certificate, ca.certificate);
  return { ca, made: true };
}

/** Makes one planned file (or pair); says what happened, in one line. */
function make(file: DevFile, ca: () => KeyPair, shown: (path: string) => string): string {
  const what = file.purposes.join("; ");
  if (file.kind === "pair") {
    const [hasCertificate, hasKey] = [existsSync(file.certificate), existsSync(file.privateKey)];
    if (hasCertificate && hasKey) return `= kept ${shown(file.certificate)}, ${shown(file.privateKey)}`;
    if (hasCertificate || hasKey) return `✗ ${shown(hasCertificate ? file.certificate : file.privateKey)} exists without its partner; delete it to have both made (${what})`;
    const leaf = issueLeaf(ca(), file.request);
    writeNew(file.privateKey, leaf.privateKey, PRIVATE);
    writeNew(file.certificate, leaf.certificate);
    return `✓ ${shown(file.certificate)}, ${shown(file.privateKey)}  ${what}`;
  }
  if (existsSync(file.path)) return `= kept ${shown(file.path)}`;
  if (file.kind === "ca") writeNew(file.path, ca().certificate);
  else writeNew(file.path, `# ${what}, made by portcullis dev-certs for development\n${randomBytes(32).toString("base64url")}\n`, PRIVATE);
  return `✓ ${shown(file.path)}  ${file.kind === "ca" ? `the development CA, as ${what}` : what}`;
}

/** dev.env: one line per variable, ready for `set -a; . dev.env; set +a`. */
function devEnv(plan: DevCertsPlan): string {
  const lines = ["# Environment for running this gateway locally, made by portcullis dev-certs. Development values only."];
  for (const variable of plan.variables) {
    lines.push(`# ${variable.purpose}${variable.value === "placeholder" ? ": a placeholder; put a real value here to use it" : ""}`);
    lines.push(`${variable.name}=${variable.value === "api-key" ? randomBytes(32).toString("base64url") : `dev-placeholder-${variable.name.toLowerCase().replace(/_/g, "-")}`}`);
  }
  return `${lines.join("\n")}\n`;
}

export const devCertsCommand: Command = {
  name: "dev-certs",
  summary: "make a config's certificates, keys and API keys for local development",
  help: HELP,
  async run(args) {
    const { positionals } = parseCommandArgs(args, {});
    if (positionals.length > 1) throw new UsageError("dev-certs takes one config (a file, or a directory holding gateway.config.ts or gateway.yaml)");
    const cwd = process.cwd();
    const loaded = await loadConfig(positionals[0], { cwd });
    if (!loaded.config || hasErrors(loaded.diagnostics)) {
      process.stderr.write(formatDiagnostics(loaded.diagnostics, { format: "text", cwd, color: Boolean(process.stderr.isTTY) }));
      return ExitCode.findings;
    }
    const plan = planDevCerts(loaded.config, loaded.file);
    const shown = (path: string) => {
      const fromCwd = relative(cwd, path);
      return fromCwd.startsWith("..") ? path : fromCwd;
    };
    let ca: KeyPair | undefined;
    const lines: string[] = [];
    const caOnce = () => {
      if (ca) return ca;
      const made = devCa(plan.home, loaded.config!.gateway.name);
      lines.push(`${made.made ? "✓" : "= kept"} ${shown(join(plan.home, DEV_CA.certificate))}, ${shown(join(plan.home, DEV_CA.privateKey))}${made.made ? "  the development CA: clients trust its certificate" : ""}`);
      ca = made.ca;
      return ca;
    };
    for (const file of plan.files) lines.push(make(file, caOnce, shown));
    const envFile = join(plan.home, "dev.env");
    if (plan.variables.length > 0) {
      if (existsSync(envFile)) lines.push(`= kept ${shown(envFile)}`);
      else {
        writeNew(envFile, devEnv(plan), PRIVATE);
        lines.push(`✓ ${shown(envFile)}  ${plan.variables.map((variable) => variable.name).join(", ")}`);
      }
    }
    for (const skipped of plan.skipped) lines.push(`- not made: ${skipped.what}: ${skipped.why}`);
    if (lines.length === 0) lines.push(`${shown(loaded.file)} names no certificate, key or API-key file: nothing to make.`);
    console.log(lines.join("\n"));
    if (plan.variables.length > 0) console.log(`\nThen: set -a; . ${shown(envFile)}; set +a; portcullis up ${shown(loaded.file)}`);
    return lines.some((line) => line.startsWith("✗")) ? ExitCode.findings : ExitCode.ok;
  },
};
