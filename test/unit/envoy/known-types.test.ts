/**
 * The registry of the types Portcullis packs (src/envoy/known-types.ts) must cover every `@type` in
 * what Portcullis emits: the output of every golden case and example, the static bootstrap built
 * from them and the ADS bootstrap. And the production entry points must not load the full registry.
 */
import { create, type JsonValue } from "@bufbuild/protobuf";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BootstrapSchema } from "../../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { TypedExtensionConfigSchema } from "../../../generated/envoy/config/core/v3/extension_pb.js";
import { BufferSchema } from "../../../generated/envoy/extensions/filters/http/buffer/v3/buffer_pb.js";
import { compileGatewayFile } from "../../../src/compile.ts";
import { envoyRegistry } from "../../../src/envoy/registry.ts";
import { knownTypes } from "../../../src/envoy/known-types.ts";
import { fromEnvoyJson, toEnvoyJson } from "../../../src/envoy/encode.ts";
import { pack, typeNameOfUrl, unpack } from "../../../src/envoy/any.ts";
import { adsBootstrap } from "../../../src/xds/bootstrap-ads.ts";
import { buildStaticBootstrap } from "../../../src/xds/bootstrap-static.ts";
import type { Snapshot } from "../../../src/xds/snapshot.ts";

const root = resolve(import.meta.dirname, "..", "..", "..");
const goldenDir = join(root, "test", "golden");
const configs = [
  ...readdirSync(goldenDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("_"))
    .map((entry) => join(goldenDir, entry.name, "gateway.yaml")),
  join(root, "examples", "quickstart", "gateway.yaml"),
  join(root, "examples", "typescript", "gateway.config.ts"),
].sort();

function typeUrls(json: JsonValue, into: Set<string>): Set<string> {
  if (Array.isArray(json)) for (const item of json) typeUrls(item, into);
  else if (json !== null && typeof json === "object") {
    for (const [key, value] of Object.entries(json)) {
      if (key === "@type" && typeof value === "string") into.add(value);
      else typeUrls(value, into);
    }
  }
  return into;
}

/** Renders with the full registry (which knows every type), then checks each `@type` against the known types. */
function expectKnownTypes(what: string, json: JsonValue): void {
  const missing = [...typeUrls(json, new Set())].filter((url) => !knownTypes.getMessage(typeNameOfUrl(url)));
  expect(missing, `${what} packs types missing from src/envoy/known-types.ts`).toEqual([]);
}

function snapshotJson(snapshot: Snapshot, registry?: typeof envoyRegistry): JsonValue[] {
  const resources = [...snapshot.resources.values()].flatMap((named) => [...named.values()]);
  const options = registry ? { registry } : {};
  const bootstrap = buildStaticBootstrap(snapshot);
  return [...resources.map((resource) => toEnvoyJson(resource.schema, resource.message, options)), toEnvoyJson(BootstrapSchema, bootstrap, options)];
}

describe("known types", () => {
  it.each(configs.map((file) => relative(root, file)))("cover every @type in the output of %s", { timeout: 60_000 }, async (file) => {
    const result = await compileGatewayFile(join(root, file), { secrets: "placeholder", env: { GOLDEN_TOKEN: "t", ACME_API_KEYS: "k", OPENAI_API_KEY: "k" } });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const full = snapshotJson(result.snapshot!, envoyRegistry);
    expectKnownTypes(file, full);
    expect(snapshotJson(result.snapshot!)).toEqual(full);
  });

  it("cover every @type of the ADS bootstrap", () => {
    const tls = { certFile: "c.pem", keyFile: "k.pem", caFile: "ca.pem" };
    const json = adsBootstrap({ nodeId: "n", cluster: "c", tls, delta: true });
    expectKnownTypes("the ADS bootstrap", json);
    expect(toEnvoyJson(BootstrapSchema, fromEnvoyJson(BootstrapSchema, json, { registry: envoyRegistry }), { registry: envoyRegistry })).toEqual(json);
  });
});

describe("a type Portcullis does not pack", () => {
  it("needs the full registry to render, parse and unpack", () => {
    const extension = create(TypedExtensionConfigSchema, { name: "buffer", typedConfig: pack(BufferSchema, create(BufferSchema, { maxRequestBytes: 1024 })) });
    const full = { registry: envoyRegistry };
    expect(() => toEnvoyJson(TypedExtensionConfigSchema, extension)).toThrow(/Buffer/);
    expect(() => unpack(extension.typedConfig!)).toThrow(/not in the registry/);
    const json = toEnvoyJson(TypedExtensionConfigSchema, extension, full);
    expect(json).toEqual({ name: "buffer", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer", max_request_bytes: 1024 } });
    expect(() => fromEnvoyJson(TypedExtensionConfigSchema, json)).toThrow(/Buffer/);
    expect(fromEnvoyJson(TypedExtensionConfigSchema, json, full)).toEqual(extension);
    expect(unpack(extension.typedConfig!, envoyRegistry).$typeName).toBe(BufferSchema.typeName);
  });
});

/** Relative modules a file imports, statically or with a literal dynamic `import("...")`. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const specifiers = [...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/gm)].map((m) => (m[1] ?? m[2])!);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s));
}

describe("the full registry", () => {
  it("is not loaded by the CLI, the compiler or the control plane", () => {
    const fullRegistry = [join(root, "src", "envoy", "registry.ts"), join(root, "generated", "registry.js")];
    const parent = new Map<string, string>();
    const queue = ["src/cli/main.ts", "src/compile.ts", "src/server/control-plane.ts"].map((entry) => join(root, entry));
    for (const file of queue) parent.set(file, "");
    for (let file = queue.shift(); file; file = queue.shift()) {
      if (!file.endsWith(".ts")) continue;
      for (const dep of importsOf(file)) {
        if (parent.has(dep)) continue;
        parent.set(dep, file);
        queue.push(dep);
      }
    }
    const chains = fullRegistry.filter((file) => parent.has(file)).map((file) => {
      const chain: string[] = [];
      for (let at = file; at; at = parent.get(at)!) chain.unshift(relative(root, at));
      return chain.join(" → ");
    });
    expect(chains).toEqual([]);
  });
});
