/**
 * Propagation: from a config change reaching the control plane to the first successful request on
 * the new route through a real Envoy, over 50 changes, at 100 and 3,000 routes, for three route
 * tables: bare hand-built routes (the floor of an RDS update with one route table), the same
 * routes split into route scopes over delta xDS (where an edit costs only its scope) and a
 * generated config compiled by `compileGateway` (what Portcullis ships, its routes in scopes by
 * first path segment; the time includes the recompile) over state-of-the-world and delta xDS, and
 * the same config saved as a YAML file, loaded and compiled as `serve --watch` does. The baseline
 * in the same run is a request on an existing route (one round trip through Envoy).
 * Prints figures; never fails on timing.
 */
import { Agent, request } from "node:http";
import { startControlPlane } from "../src/server/control-plane.ts";
import { silentLogger } from "../src/server/log.ts";
import { adsBootstrap } from "../src/xds/bootstrap-ads.ts";
import { startBackend } from "../test/support/backend.ts";
import { startEnvoy, stopAllEnvoys } from "../test/support/envoy.ts";
import { freePort } from "../test/support/ports.ts";
import { ms, percentile, printTable } from "./support/percentiles.ts";
import { bareVariant, compiledVariant, fileVariant, type PropagationVariant, scopedVariant, type VariantTarget } from "./support/propagation-variants.ts";

const CHANGES = 50;
const ROUTE_COUNTS = process.env.ROUTES ? [Number(process.env.ROUTES)] : [100, 3000];
const CHANGE_TIMEOUT_MS = 10_000;
const VARIANTS: Record<string, (target: VariantTarget) => PropagationVariant> = {
  bare: bareVariant,
  scoped: scopedVariant,
  "compiled-sotw": (target) => compiledVariant(target, false),
  "compiled-delta": (target) => compiledVariant(target, true),
  "file-delta": (target) => fileVariant(target, CHANGES),
};

// Reused connections, as fetch would; node:http because fetch cannot set the Host header the compiled routes match on.
const agent = new Agent({ keepAlive: true });

function status(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, agent, headers: { host } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.end();
  });
}

/** Polls until the path answers 200; ms since `start`, or NaN after the timeout. */
async function okSince(start: number, port: number, path: string, host: string, timeoutMs: number): Promise<number> {
  while (performance.now() - start < timeoutMs) {
    if ((await status(port, path, host)) === 200) return performance.now() - start;
  }
  return Number.NaN;
}

function row(count: number, variant: PropagationVariant, measure: string, samples: readonly number[]): string[] {
  return [String(count), variant.label, measure, ms(percentile(samples, 50)), ms(percentile(samples, 99)), ms(Math.max(...samples))];
}

async function measure(target: VariantTarget, variant: PropagationVariant): Promise<string[][]> {
  const { routeCount, listenerPort } = target;
  await variant.start();
  const envoy = await startEnvoy({ bootstrap: adsBootstrap({ nodeId: target.gateway, cluster: target.gateway, xdsPort: target.plane.xdsPort, delta: variant.delta ?? false }) as Record<string, unknown>, timeoutMs: 30_000 });
  try {
    if (Number.isNaN(await okSince(performance.now(), listenerPort, variant.existingPath, variant.host, 30_000))) {
      throw new Error(`${variant.label}, ${routeCount} routes: ${variant.existingPath} never answered 200`);
    }
    const propagation: number[] = [];
    const compile: number[] = [];
    const controlPlane: number[] = [];
    const floor: number[] = [];
    const envoyPart: number[] = [];
    for (let change = 0; change < CHANGES; change++) {
      const prepared = variant.prepare(change);
      const start = performance.now();
      const timings = await prepared.push();
      compile.push(timings.compileMs);
      controlPlane.push(timings.controlPlaneMs);
      const served = await okSince(start, listenerPort, prepared.path, variant.host, CHANGE_TIMEOUT_MS);
      if (Number.isNaN(served)) throw new Error(`${variant.label}, ${routeCount} routes: ${prepared.path} not served within ${CHANGE_TIMEOUT_MS} ms`);
      propagation.push(served);
      envoyPart.push(served - timings.compileMs - timings.controlPlaneMs);
      const floorStart = performance.now();
      await status(listenerPort, variant.existingPath, variant.host);
      floor.push(performance.now() - floorStart);
    }
    return [
      row(routeCount, variant, "new route served", propagation),
      ...(variant.compiles ? [row(routeCount, variant, "of which compile", compile)] : []),
      row(routeCount, variant, "of which control plane (serve checks, encode, write)", controlPlane),
      // The rest: Envoy taking the update and the polling requests (their round trip is the baseline below).
      row(routeCount, variant, "of which Envoy (served − compile − control plane)", envoyPart),
      row(routeCount, variant, "baseline: existing route", floor),
    ];
  } finally {
    await envoy.stop();
  }
}

const backend = await startBackend("bench");
const plane = await startControlPlane({ log: silentLogger, processMetrics: false });
const rows: string[][] = [];
try {
  for (const routeCount of ROUTE_COUNTS) {
    // `node bench/propagation.bench.ts file-delta bare` runs only the variants named; ROUTES=3000 only that size.
    const chosen = process.argv.slice(2);
    for (const [name, makeVariant] of Object.entries(VARIANTS).filter(([name]) => chosen.length === 0 || chosen.includes(name))) {
      const target = { plane, gateway: `${name}-${routeCount}`, routeCount, listenerPort: await freePort(), backendPort: backend.port };
      rows.push(...(await measure(target, makeVariant(target))));
    }
  }
} finally {
  agent.destroy();
  await stopAllEnvoys();
  await plane.close();
  await backend.close();
}
printTable(
  `Propagation: config change at the control plane → first 200 on the new route through Envoy (${CHANGES} changes; target p50 ≤ 10 ms, p99 ≤ 50 ms at 3,000 routes)`,
  ["routes", "route table", "measure", "p50", "p99", "max"],
  rows,
);
