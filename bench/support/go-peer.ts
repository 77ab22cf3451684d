/** The Go programs under bench/peers, built on demand with `go build` into a cache dir (never committed, never in CI). */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Builds bench/peers/<name> and returns the binary's path. */
export function buildGoPeer(name: string): string {
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "portcullis-bench");
  mkdirSync(cache, { recursive: true });
  const binary = join(cache, name);
  execFileSync("go", ["build", "-o", binary, "."], { cwd: join(import.meta.dirname, "..", "peers", name), stdio: "inherit" });
  return binary;
}
