import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";

const golden = (name: string) => join(import.meta.dirname, "..", "golden", name, "gateway.yaml");
const load = (name: string) => parse(readFileSync(golden(name), "utf8")) as GatewayConfig;

/** Reverses the key order of every object, at every depth (array order is meaning, so it stays). */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).reverse().map((key) => [key, reverseKeys((value as Record<string, unknown>)[key])]));
}

function fingerprint(config: GatewayConfig, file: string): string[] {
  const { snapshot, diagnostics } = compileGateway(config, undefined, { file, env: { GOLDEN_TOKEN: "t" } });
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return [snapshot!.version, ...[...snapshot!.resources.values()].flatMap((named) => [...named.values()].map((r) => `${r.typeUrl} ${r.name} ${r.version} ${Buffer.from(r.bytes).toString("base64")}`))];
}

describe("determinism", () => {
  for (const name of ["access-identities", "cors", "hostnames", "header-versioning", "listener-mtls", "load-balancing"]) {
    it(`${name}: shuffled input key order gives byte-identical resources and versions`, () => {
      const config = load(name);
      const first = fingerprint(config, golden(name));
      const second = fingerprint(reverseKeys(config) as GatewayConfig, golden(name));
      expect(second).toEqual(first);
    });
  }

  it("a change to one route changes its scope's route configuration and nothing else", () => {
    const config = load("route-matches");
    const before = compileGateway(config, undefined, { file: golden("route-matches") }).snapshot!;
    const edited = structuredClone(config);
    edited.apis![0]!.versions["v1"]!.routes[0]!.match.methods = ["GET", "PATCH"];
    const after = compileGateway(edited, undefined, { file: golden("route-matches") }).snapshot!;
    const changed = [...after.resources].flatMap(([type, named]) => [...named].filter(([n, r]) => before.resources.get(type)?.get(n)?.version !== r.version).map(([n]) => `${type.split(".").pop()} ${n}`));
    expect(changed).toEqual(["RouteConfiguration web/v1/orders"]);
    expect(after.version).not.toBe(before.version);
  });
});

describe("secrets in the IR", () => {
  it("print as [redacted] in JSON and inspect, and reach only the Secret resource", () => {
    const config = load("listener-mtls");
    const { ir, snapshot } = compileGateway(config, undefined, { file: golden("listener-mtls") });
    const key = readFileSync(join(import.meta.dirname, "..", "golden", "_pki", "server.key"), "utf8");
    const keyLine = key.split("\n")[1]!;
    expect(JSON.stringify(ir)).not.toContain(keyLine);
    expect(JSON.stringify(ir)).toContain("[redacted]");
    expect(inspect(ir, { depth: 10 })).not.toContain(keyLine);
    const secret = snapshot!.resources.get("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret")!.get("listener-web-cert")!;
    expect(Buffer.from(secret.bytes).toString("latin1")).toContain(keyLine);
  });
});
