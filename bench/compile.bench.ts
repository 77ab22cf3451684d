/**
 * Compile time and peak memory for generated configs of 100, 1,000 and 10,000 routes, and a
 * one-route edit of the 10,000-route config (the hot-reload case, served from per-version and
 * per-route caches). Each size runs in its own process so peak RSS is that size's alone.
 * Baselines measured in the same run: a JSON round trip of the same config (the machine's speed
 * at touching that much data) and, for the edit, the cold compile it avoids.
 * And what `serve --watch` does on a one-route edit of a 1,000-route YAML file: load (parse,
 * validate) and compile, against parsing the same file with positions alone (what loading cost
 * before the fast reader, src/config/load/yaml-fast.ts).
 * Targets (2-core machine): 10,000 routes ≤ 1 s, one-route edit ≤ 50 ms (≤ 20 ms for the YAML
 * file, issue 15). Never fails on timing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LineCounter, parseDocument, stringify } from "yaml";
import { compileGateway, compileGatewayFile } from "../src/compile.ts";
import { generatedConfig } from "./compile-fixture.ts";
import { ms, percentile, printTable } from "./support/percentiles.ts";

const SIZES = [100, 1_000, 10_000];
const EDITS = 20;

interface Figures {
  readonly routes: number;
  readonly resources: number;
  readonly baselineMs: number;
  readonly coldMs: number;
  readonly warmMs: number;
  readonly editP50Ms: number;
  readonly editP95Ms: number;
  readonly peakRssMb: number;
  /** The YAML file edit (1,000 routes only). */
  readonly file?: { readonly editP50Ms: number; readonly editP95Ms: number; readonly parseWithPositionsMs: number };
}

/** One-route edits of the config written as a YAML file, each loaded and compiled as `serve --watch` does. */
async function measureFileEdits(routes: number) {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-"));
  const file = join(dir, "gateway.yaml");
  const config = generatedConfig(routes, `bench-${routes}-file`);
  const texts = Array.from({ length: EDITS + 1 }, (_, i) => {
    config.apis![0]!.versions["v2"]!.routes[0]!.match.path = `/file-edit-${i}`;
    return stringify(config);
  });
  writeFileSync(file, texts[0]!);
  await compileGatewayFile(file);
  const edits: number[] = [];
  for (let i = 1; i <= EDITS; i++) {
    writeFileSync(file, texts[i]!);
    const start = performance.now();
    const result = await compileGatewayFile(file);
    edits.push(performance.now() - start);
    if (!result.snapshot) throw new Error(`compile failed: ${JSON.stringify(result.diagnostics.slice(0, 3))}`);
  }
  const parses = texts.slice(1).map((text) => {
    const start = performance.now();
    parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true, version: "1.2" });
    return performance.now() - start;
  });
  rmSync(dir, { recursive: true, force: true });
  return { editP50Ms: percentile(edits, 50), editP95Ms: percentile(edits, 95), parseWithPositionsMs: percentile(parses, 50) };
}

async function measure(routes: number): Promise<Figures> {
  const config = generatedConfig(routes);
  let start = performance.now();
  JSON.parse(JSON.stringify(config));
  const baselineMs = performance.now() - start;
  start = performance.now();
  const cold = compileGateway(config);
  const coldMs = performance.now() - start;
  if (!cold.snapshot) throw new Error(`compile failed: ${JSON.stringify(cold.diagnostics.slice(0, 3))}`);
  // The same size again under another gateway name: no cache hit, but code is compiled and warm (a serve process).
  const warmConfig = generatedConfig(routes, `bench-${routes}-warm`);
  start = performance.now();
  compileGateway(warmConfig);
  const warmMs = performance.now() - start;
  const edits: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    // A fresh copy, as a hot reload parses the file again: no object is shared with the last compile.
    const edited = structuredClone(config);
    edited.apis![i % edited.apis!.length]!.versions["v2"]!.routes[0]!.match.path = `/edited-${i}`;
    start = performance.now();
    const result = compileGateway(edited);
    edits.push(performance.now() - start);
    if (result.snapshot?.version === cold.snapshot.version) throw new Error("an edit did not change the snapshot");
  }
  const file = routes === 1_000 ? await measureFileEdits(routes) : undefined;
  return {
    routes,
    ...(file ? { file } : {}),
    resources: [...cold.snapshot.resources.values()].reduce((n, named) => n + named.size, 0),
    baselineMs,
    coldMs,
    warmMs,
    editP50Ms: percentile(edits, 50),
    editP95Ms: percentile(edits, 95),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

if (process.argv[2] === "--child") {
  process.stdout.write(JSON.stringify(await measure(Number(process.argv[3]))));
} else {
  const figures: Figures[] = [];
  for (const routes of SIZES) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", String(routes)], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`bench for ${routes} routes failed:\n${child.stderr}`);
    figures.push(JSON.parse(child.stdout) as Figures);
  }
  printTable(
    "Full compile: resolve + translate + encode + hash (first = fresh process; warm = same process again, no cache hit)",
    ["routes", "resources", "first compile", "warm compile", "peak RSS", "baseline: JSON round trip", "warm / baseline", "target"],
    figures.map((f) => [String(f.routes), String(f.resources), ms(f.coldMs), ms(f.warmMs), `${f.peakRssMb.toFixed(0)} MB`, ms(f.baselineMs), `${(f.warmMs / f.baselineMs).toFixed(1)}×`, f.routes === 10_000 ? "≤ 1000 ms" : ""]),
  );
  printTable(
    `One-route edit (recompile after changing one route, ${EDITS} edits, fresh config objects each time)`,
    ["routes", "edit p50", "edit p95", "baseline: warm full compile", "speed-up", "target"],
    figures.map((f) => [String(f.routes), ms(f.editP50Ms), ms(f.editP95Ms), ms(f.warmMs), `${(f.warmMs / f.editP50Ms).toFixed(0)}×`, f.routes === 10_000 ? "≤ 50 ms" : ""]),
  );
  printTable(
    "One-route edit of a YAML file, loaded and compiled as serve --watch does",
    ["routes", "edit p50", "edit p95", "baseline: parsing the file with positions alone", "target"],
    figures.flatMap((f) => (f.file ? [[String(f.routes), ms(f.file.editP50Ms), ms(f.file.editP95Ms), ms(f.file.parseWithPositionsMs), "≤ 20 ms"]] : [])),
  );
}
