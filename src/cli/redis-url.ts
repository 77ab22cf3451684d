/**
 * Redis URLs given on the command line. A command line is readable by every user of the machine
 * (`ps`, /proc/<pid>/cmdline), so a URL with a password is refused there; `env:NAME` reads the
 * URL from an environment variable instead.
 */
import { UsageError } from "./command.ts";

/** The Redis URL a flag names (`redis://host:6379` or `env:NAME`), or undefined when not given. */
export function redisUrlFlag(flag: string, value: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (value === undefined) return undefined;
  if (value.startsWith("env:")) {
    const name = value.slice("env:".length);
    const url = env[name];
    if (!url) throw new UsageError(`${flag} env:${name}: the environment variable ${name} is not set`);
    return url;
  }
  if (hasPassword(value)) {
    throw new UsageError(`${flag} takes no password on the command line, where every user of this machine can read it: put the URL in an environment variable and pass ${flag} env:NAME`);
  }
  return value;
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== "";
  } catch {
    return /:[^/@]*@/.test(url); // not a URL the store will take either; refuse it if it might hold a secret
  }
}
