// bin/portcullis.js under a Node that cannot strip types (the machine's own Node 20, say) re-runs
// the CLI on the project's Node 24 as a child. It must stand in for that child: pass on every
// signal, exit as the child did, and never leave it running when the wrapper itself is killed.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../support/http-load.ts";
import { freePorts } from "../support/ports.ts";
import { isRunning } from "../support/processes.ts";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "portcullis.js");
const config = join(root, "examples", "quickstart", "gateway.yaml");

/** The system Node when it is one the wrapper must step in for; otherwise Node 24 told not to strip types. */
const olderNode: string[] =
  existsSync("/usr/bin/node") && execFileSync("/usr/bin/node", ["-p", "Boolean(process.features.typescript)"]).toString().trim() === "false"
    ? ["/usr/bin/node"]
    : [process.execPath, "--no-experimental-strip-types"];

/** The pids whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // Fields after the command's closing parenthesis: state, then the parent's pid.
        return readFileSync(`/proc/${name}/stat`, "utf8").split(") ").at(-1)?.split(" ")[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

interface Wrapped {
  readonly wrapper: ChildProcess;
  readonly child: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

const started: Wrapped[] = [];
afterEach(() => {
  for (const { wrapper, child } of started.splice(0)) {
    wrapper.kill("SIGKILL");
    if (isRunning(child)) process.kill(child, "SIGKILL");
  }
});

/** `portcullis serve` through the wrapper on the older Node, once the control plane is ready. */
async function serveThroughWrapper(): Promise<Wrapped> {
  const [xds, admin] = (await freePorts(2)) as [number, number];
  const wrapper = spawn(olderNode[0]!, [...olderNode.slice(1), bin, "serve", config, "--xds-port", String(xds), "--admin-port", String(admin), "--log-format", "json"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  wrapper.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  wrapper.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => wrapper.once("exit", (code, signal) => resolve({ code, signal })));
  const ready = await eventually(
    () => fetch(`http://127.0.0.1:${admin}/readyz`, { signal: AbortSignal.timeout(2000) }).then((response) => response.status, () => 0),
    (status) => status === 200,
    "serve to be ready through the wrapper",
    30_000,
  ).catch((error: Error) => new Error(`${error.message}\n${output}`));
  if (ready instanceof Error) throw ready;
  const [child] = childrenOf(wrapper.pid!);
  if (!child) throw new Error("the wrapper started no child: is this Node stripping types itself?");
  const wrapped = { wrapper, child, exited, output: () => output };
  started.push(wrapped);
  return wrapped;
}

describe(`bin/portcullis.js on ${olderNode.join(" ")}`, () => {
  it("runs the CLI on the project's Node as a child", async () => {
    const { child } = await serveThroughWrapper();
    expect(readFileSync(`/proc/${child}/cmdline`, "utf8").split("\0")[0]).toBe(join(root, "node_modules", ".bin", "node"));
  });

  it("passes SIGTERM to the child, which stops cleanly, and exits with the child's code", async () => {
    const { wrapper, child, exited, output } = await serveThroughWrapper();
    wrapper.kill("SIGTERM");
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output()).toMatch(/"msg":"shutting down".*"signal":"SIGTERM"/);
    expect(isRunning(child)).toBe(false);
  });

  it("passes on SIGINT sent to the wrapper alone (not the terminal's process group)", async () => {
    const { wrapper, child, exited, output } = await serveThroughWrapper();
    wrapper.kill("SIGINT");
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output()).toMatch(/"msg":"shutting down".*"signal":"SIGINT"/);
    expect(isRunning(child)).toBe(false);
  });

  it("dies of the signal that killed the child (SIGHUP)", async () => {
    const { wrapper, child, exited } = await serveThroughWrapper();
    wrapper.kill("SIGHUP");
    expect(await exited).toEqual({ code: null, signal: "SIGHUP" });
    await eventually(async () => isRunning(child), (running) => !running, "the child to exit", 10_000);
  });

  it("takes the child with it when the wrapper is SIGKILLed", async () => {
    const { wrapper, child } = await serveThroughWrapper();
    wrapper.kill("SIGKILL");
    await eventually(async () => isRunning(child), (running) => !running, `the child (pid ${child}) to exit after its wrapper was SIGKILLed`, 10_000);
  });

  it("exits with the child's exit code", () => {
    const broken = join(root, "test", "fixtures", "invalid", "unknown-provider.yaml");
    const run = (args: string[]) => {
      try {
        execFileSync(olderNode[0]!, [...olderNode.slice(1), bin, ...args], { stdio: "pipe" });
        return 0;
      } catch (error) {
        return (error as { status: number }).status;
      }
    };
    expect(run(["compile", "--check", broken])).toBe(1);
    expect(run(["compile", "--format", "xml", broken])).toBe(2);
  });
});
