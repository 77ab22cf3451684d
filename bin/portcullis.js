#!/usr/bin/env node
// In a source checkout the CLI runs straight from TypeScript, which needs a Node that strips types
// (>= 22.18). When this Node cannot, the project's own Node 24 (installed by `npm run setup`) runs
// it instead, as a child that this process stands in for. An installed package carries only the
// compiled JavaScript in dist/.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { Socket } from "node:net";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";

const source = new URL("../src/cli/main.ts", import.meta.url);
const projectNode = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
const stripsTypes = Boolean(process.features.typescript);

/** Names, for the child, the descriptor whose other end this wrapper holds. */
const WRAPPER_PIPE = "PORTCULLIS_WRAPPER_PIPE";
const PIPE_FD = 3;

/** Every signal a user, a terminal or a supervisor sends to ask a process something; all go to the child. */
const FORWARDED = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGALRM"];

/** Ends this process the way the child ended: the same exit code, or death by the same signal. */
function exitLike(code, signal) {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  // Reached for an exit code, or a signal whose default is not to terminate (128 + n, as shells report it).
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
}

function runOnProjectNode() {
  // A session of its own: the terminal's Ctrl-C reaches the child once, through us, like every other
  // signal (in our process group it would get both the terminal's and ours). Descriptor 3 is a
  // pipe whose far end only this process holds: it closes when we die, even by SIGKILL.
  const child = spawn(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ["inherit", "inherit", "inherit", "pipe"],
    detached: true,
    env: { ...process.env, [WRAPPER_PIPE]: String(PIPE_FD) },
  });
  for (const signal of FORWARDED) process.on(signal, () => child.kill(signal));
  // Ctrl-Z: a session with no terminal ignores SIGTSTP, so the child is stopped outright, then we are.
  process.on("SIGTSTP", () => {
    child.kill("SIGSTOP");
    process.kill(process.pid, "SIGSTOP");
  });
  process.on("SIGCONT", () => child.kill("SIGCONT"));
  child.on("error", (error) => {
    console.error(`portcullis: cannot start ${projectNode}: ${error.message}`);
    process.exit(2);
  });
  child.on("exit", exitLike);
}

/**
 * Under a wrapper, a closed pipe means the wrapper is gone: stop as if asked to (SIGTERM), so a
 * command that holds processes (up's Envoy) stops them. Unreferenced, it keeps no command alive.
 */
function exitWithWrapper() {
  const fd = Number(process.env[WRAPPER_PIPE]);
  delete process.env[WRAPPER_PIPE]; // for us alone, not for processes we start
  const pipe = new Socket({ fd, readable: true, writable: false });
  pipe.on("close", () => process.kill(process.pid, "SIGTERM"));
  pipe.on("error", () => undefined); // a reset is a close
  pipe.resume();
  pipe.unref();
}

if (existsSync(source) && !stripsTypes) {
  if (!existsSync(projectNode)) {
    console.error(`portcullis: this source checkout needs Node >= 22.18 (this is ${process.version}); run \`npm run setup\`, which installs Node 24 into node_modules.`);
    process.exit(2);
  }
  runOnProjectNode();
} else {
  if (process.env[WRAPPER_PIPE]) exitWithWrapper();
  const entry = existsSync(source) ? source : new URL("../dist/src/cli/main.js", import.meta.url);
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv.slice(2));
}
