// Runs every bench/*.bench.ts in its own Node process, one after another (so they do not compete
// for the two cores), and prints their tables. Benchmarks report figures; they never fail the build
// on timing, only when a benchmark itself crashes.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();

let crashed = 0;
for (const file of files) {
  console.log(`\n━━ ${file} ━━`);
  const result = spawnSync(process.execPath, ["--expose-gc", join(benchDir, file)], { stdio: "inherit" });
  if (result.status !== 0) {
    crashed++;
    console.error(`${file} exited with ${result.status ?? result.signal}`);
  }
}
process.exitCode = crashed === 0 ? 0 : 1;
