/** `portcullis processor` in a process of its own, as in a fleet: for benchmarks that measure what it adds. */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GatewayConfig } from "../../src/config/types.ts";

/** Writes the config to `dir/gateway.yaml`, starts the processor on it with `env`, and resolves once it is ready. */
export async function startProcessorProcess(dir: string, gateway: GatewayConfig, env: Record<string, string>): Promise<ChildProcess> {
  writeFileSync(join(dir, "gateway.yaml"), JSON.stringify(gateway));
  const main = join(import.meta.dirname, "..", "..", "src", "cli", "main.ts");
  const child = spawn(process.execPath, [main, "processor", join(dir, "gateway.yaml"), "--usage-db", join(dir, "usage.db"), "--log-format", "json"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("AI processor ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`portcullis processor exited with ${code}: ${output}`)));
  });
  return child;
}
