/**
 * serve writes a compile's errors every time, and of its warnings only those the last compile of
 * the same file did not have (src/server/findings-log.ts): a reload of a large config would
 * otherwise repeat its hundred unchanged warnings on every save. /status keeps them all.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileGatewayFile } from "../../src/compile.ts";
import { GatewayRegistry } from "../../src/server/gateway-registry.ts";
import type { Logger, LogLevel } from "../../src/server/log.ts";
import { ControlPlaneMetrics } from "../../src/server/metrics.ts";
import { SnapshotCache } from "../../src/server/snapshot-cache.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-findings-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "gateway.yaml");

/** An API without a description (a governance warning on it), its route to `provider`. */
const api = (name: string, provider = "app") =>
  `  - { name: ${name}, owner: test, basePath: /${name}, versions: { v1: { state: published, access: { public: { reason: a public test route } }, routes: [{ name: all, match: { prefix: / }, provider: ${provider} }] } } }`;
const gateway = (apis: string[], header: string[] = []) =>
  [
    ...header,
    "gateway:",
    "  name: logs",
    "  listeners:",
    "    - { name: web, address: 127.0.0.1, port: 18080, hostnames: [api.test] }",
    "providers:",
    '  app: { type: service, endpoints: ["127.0.0.1:9999"], plaintext: { reason: test backend on loopback } }',
    "apis:",
    ...apis,
    "",
  ].join("\n");

describe("the findings serve logs on each compile", () => {
  it("are the errors, and the warnings the last compile did not have", async () => {
    const lines: { level: LogLevel; message: string }[] = [];
    const record = (level: LogLevel) => (message: string) => void lines.push({ level, message });
    const log: Logger = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
    const registry = new GatewayRegistry(new SnapshotCache(), new ControlPlaneMetrics({ processMetrics: false }), log, { envoysOnThisHost: true });
    const applied = async (text: string) => {
      writeFileSync(file, text);
      lines.length = 0;
      registry.apply(await compileGatewayFile(file));
      // What serve says about findings (not "serving snapshot", nor the last-good-snapshot line), without the file:line:col.
      return lines.filter(({ message }) => /PCL|as in the last compile/.test(message)).map(({ level, message }) => `${level} ${message.replace(/^.*?: (warning|error) /, "")}`);
    };

    expect(await applied(gateway([api("shop")]))).toEqual([expect.stringMatching(/^warn PCL-GOV-002: API shop has no description/)]);
    // The same warning on another line (a comment above it) is the same finding.
    expect(await applied(gateway([api("shop")], ["# moved down a line"]))).toEqual([expect.stringMatching(/^info 1 warning as in the last compile/)]);
    expect(await applied(gateway([api("shop"), api("cart")]))).toEqual([
      expect.stringMatching(/^warn PCL-GOV-002: API cart has no description/),
      expect.stringMatching(/^info 1 warning as in the last compile/),
    ]);
    // Known warnings after a new error and before a new warning (they are found by key, not by place): only the new ones are written.
    expect(await applied(gateway([api("shop").replace("owner: test", 'owner: ""'), api("cart"), api("new")]))).toEqual([
      expect.stringMatching(/^error PCL-GOV-001: API shop has a blank owner/),
      expect.stringMatching(/^warn PCL-GOV-002: API new has no description/),
      expect.stringMatching(/^info 2 warnings as in the last compile/),
    ]);
    // Errors are written every time (a config that does not load has no policy warnings).
    const broken = gateway([api("shop"), api("cart", "nope")]);
    for (let round = 0; round < 2; round++) expect(await applied(broken)).toEqual([expect.stringMatching(/^error PCL3001: a route names provider 'nope'/)]);
    // Mended, its warnings are written again: the compile before it had none.
    expect(await applied(gateway([api("shop"), api("cart")]))).toEqual([expect.stringMatching(/shop has no description/), expect.stringMatching(/cart has no description/)]);
    expect(registry.list()[0]!.diagnostics).toHaveLength(2);
  });
});
