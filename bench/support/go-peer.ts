/** The Go programs under bench/peers, built on demand with `go build` into a cache dir (never committed, never in CI). */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** Builds bench/peers/<name> and returns the binary's path. */
function buildGoPeer(name: string): string {
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "portcullis-bench");
  mkdirSync(cache, { recursive: true });
  const binary = join(cache, name);
  execFileSync("go", ["build", "-o", binary, "."], { cwd: join(import.meta.dirname, "..", "peers", name), stdio: "inherit" });
  return binary;
}

/** The first line of a child's output that `match` accepts, mapped; rejects when the child exits first. */
export function firstLine<T>(child: ChildProcess, match: (line: string) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const found = match(line);
      if (found !== undefined) resolve(found);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before it was ready`)));
  });
}

/** Builds and starts bench/peers/<name> (commands on its stdin), once it prints `listening <port>`. */
export async function startGoPeer(name: string): Promise<{ readonly child: ChildProcess; readonly port: number }> {
  const child = spawn(buildGoPeer(name), [], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await firstLine(child, (line) => (line.startsWith("listening ") ? Number(line.split(" ")[1]) : undefined));
  return { child, port };
}
