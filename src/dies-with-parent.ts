import { executableOnPath } from "./envoy/binary.ts";

/**
 * A command line that makes the process die when the one that started it dies, even by
 * SIGKILL, which leaves no chance to stop children: util-linux's `setpriv --pdeathsig KILL` sets
 * the parent-death signal and then becomes the command (same pid). Neither Envoy nor a config
 * stuck in an endless loop can ask for it themselves. Where setpriv is missing (util-linux is on
 * every Debian system), the command runs as given and `diesWithParent` is false.
 */
export function dyingWithParent(command: string, args: readonly string[]): { command: string; args: string[]; diesWithParent: boolean } {
  const setpriv = executableOnPath("setpriv", process.env["PATH"]);
  return setpriv ? { command: setpriv, args: ["--pdeathsig", "KILL", "--", command, ...args], diesWithParent: true } : { command, args: [...args], diesWithParent: false };
}
