import { isAbsolute, resolve as resolvePath } from "node:path";
import type { GatewayConfig } from "../config/types.ts";
import type { PolicyIR } from "./ir.ts";

/** The policy engine's settings; pack files are resolved against the config file's directory. */
export function resolvePolicy(config: GatewayConfig, baseDir: string): PolicyIR {
  const policy = config.policy ?? {};
  return {
    zeroTrust: config.zeroTrust?.mode ?? "strict",
    packs: (policy.packs ?? []).map((written) => ({ written, file: isAbsolute(written) ? written : resolvePath(baseDir, written) })),
    rules: Object.entries(policy.rules ?? {}).map(([rule, severity]) => ({ rule, severity })),
    waivers: (policy.waivers ?? []).map(({ rule, target, reason, owner, expires }) => ({ rule, target, reason, owner, expires })),
  };
}
