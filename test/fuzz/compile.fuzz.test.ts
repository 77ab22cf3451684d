/**
 * The compile pipeline under fuzzing: generated gateways, valid configs with a part replaced or
 * their text damaged, and random structures, written as YAML or JSON and compiled the way
 * `compile --check` does (placeholder secrets). Whatever the input: no exception, no internal error
 * (PCL4999), no stack trace in any finding, every finding has a known code and a place in the file,
 * and each compile finishes in bounded time.
 *
 * FUZZ_RUNS sets the total number of cases (default 300, a few seconds); FUZZ_RUNS=10000 is the
 * nightly-sized run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { type CompileResult, compileGatewayFile } from "../../src/compile.ts";
import { CODES } from "../../src/config/codes.ts";
import { COMPILE_CODES } from "../../src/model/codes.ts";
import { POLICY_CODES } from "../../src/policy/codes.ts";
import { builtInRules } from "../../src/policy/packs.ts";
import { GENERATED_ENV, gatewayConfig } from "../support/gateway-arbitrary.ts";

const RUNS = Number(process.env["FUZZ_RUNS"] ?? 300);
/** Far beyond any real compile (milliseconds); reaching it means a hang or a blow-up, not slowness. */
const CASE_LIMIT_MS = 20_000;
const KNOWN_CODES = new Set([...Object.keys(CODES), ...Object.keys(COMPILE_CODES), ...Object.keys(POLICY_CODES), ...builtInRules().map((rule) => rule.id)]);
// "at fn (file.ts:12:5)" and "at file.js:3:1": what a stack trace leaves in a message.
const STACK_TRACE = /\n\s+at |\bat (?:\S+ \()?\S+\.(?:ts|js|mjs):\d+:\d+/;

const dir = mkdtempSync(join(tmpdir(), "portcullis-compile-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const JWKS = JSON.stringify({ keys: [{ kty: "RSA", kid: "k1", alg: "RS256", use: "sig", n: "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw", e: "AQAB" }] });
writeFileSync(join(dir, "jwks.json"), JWKS);

let counter = 0;

/** Compiles `text` as a config file of the given kind and checks the pipeline's contract. */
async function compileText(text: string, extension: "yaml" | "json"): Promise<void> {
  const file = join(dir, `case-${counter++}.${extension}`);
  writeFileSync(file, text);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`compile did not finish within ${CASE_LIMIT_MS} ms`)), CASE_LIMIT_MS);
  });
  let result: CompileResult;
  try {
    result = await Promise.race([compileGatewayFile(file, { secrets: "placeholder", env: GENERATED_ENV }), limit]);
  } finally {
    clearTimeout(timer);
  }
  // A synchronous blow-up cannot be interrupted, but it must not go unnoticed either.
  expect(performance.now() - started, "compile time of one case").toBeLessThan(CASE_LIMIT_MS);
  for (const d of result.diagnostics) {
    const where = `${d.code} ${d.message}`;
    expect(d.code, where).not.toBe("PCL4999");
    expect(KNOWN_CODES.has(d.code), `${where}: a code from the tables`).toBe(true);
    expect(`${d.message}\n${d.hint ?? ""}`, where).not.toMatch(STACK_TRACE);
    expect(d.location?.file, `${where}: located in the config`).toBe(file);
    expect(d.location?.line, where).toBeGreaterThanOrEqual(1);
  }
  expect(result.snapshot === undefined, "a snapshot exactly when there is no error").toBe(result.diagnostics.some((d) => d.severity === "error"));
}

// A removed root is an empty file.
const asText = (value: unknown, yaml: boolean) => (value === undefined ? "" : yaml ? stringify(value, { aliasDuplicateObjects: false }) : JSON.stringify(value));

/** Values that have broken parsers, encoders and checks before. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(1.5, -1, 0, -0, 5e9, 4_294_967_296, 2 ** 53, 2 ** 64, 1e21, 1e308, -1e308, "", " ", "\n", "\u0000", "__proto__", "constructor", "toString", "x".repeat(5000), "0s", "1e400", "NaN", "[::1]", "*", "%00", [], {}, [[]], { "": "" }, null, true),
  fc.string({ unit: "binary", maxLength: 40 }),
);

function allPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => allPaths(child, [...prefix, key]))];
}

/** A copy of `root` with the value at `path` replaced, or removed when `value` is undefined. */
function withReplaced(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined && !Array.isArray(node)) delete node[last];
  else node[last] = value;
  return copy;
}

// Valid configs to mutate: the YAML twin of the TypeScript example, and the quickstart.
const root = join(import.meta.dirname, "..", "..");
const bases = [join(root, "test", "fixtures", "equivalent", "gateway.json"), join(root, "examples", "quickstart", "gateway.yaml")].map((file) => {
  const text = readFileSync(file, "utf8");
  return { text, value: file.endsWith(".json") ? JSON.parse(text) : parse(text) };
});

const base = fc.constantFrom(...bases);
const mutated = base.chain(({ value }) => fc.tuple(fc.constant(value), fc.constantFrom(...allPaths(value)), fc.option(nasty, { nil: undefined, freq: 8 })));

/** Damaged text: a valid config with characters inserted, deleted or swapped. */
const damaged = base.chain(({ text }) => fc.tuple(
  fc.constant(text),
  fc.array(fc.record({ at: fc.nat({ max: text.length }), cut: fc.nat({ max: 8 }), insert: fc.oneof(fc.constantFrom("\n", "\t", " ", ":", "-", "[", "{", "\"", "'", "&a", "*a", "!!str", "\u0000", "#", "? "), fc.string({ maxLength: 6 })) }), { minLength: 1, maxLength: 4 }),
)).map(([text, edits]) => edits.reduce((t, edit) => `${t.slice(0, edit.at)}${edit.insert}${t.slice(edit.at + edit.cut)}`, text));

/** Deep or wide structures: nesting the loaders and the schema walk must survive. */
const deep = fc.tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom("[", "{a: ", "- ", "a:\n  ")).map(([depth, open]) => {
  if (open === "[") return `${"[".repeat(depth)}${"]".repeat(depth)}`;
  if (open === "{a: ") return `${"{a: ".repeat(depth)}1${"}".repeat(depth)}`;
  if (open === "- ") return Array.from({ length: Math.min(depth, 3000) }, (_, i) => `${"  ".repeat(i)}- `).join("\n");
  return `gateway:\n${Array.from({ length: Math.min(depth, 3000) }, (_, i) => `${"  ".repeat(i + 1)}a:`).join("\n")} 1`;
});

/** Random objects over the schema's own vocabulary, so they get past the first layer of checks. */
const KEYS = ["gateway", "name", "listeners", "port", "address", "hostnames", "tls", "providers", "type", "service", "endpoints", "apis", "versions", "v1", "state", "published", "routes", "match", "path", "provider", "access", "public", "reason", "allow", "identity", "identities", "jwt", "jwks", "url", "file", "env", "claims", "limits", "healthCheck", "retries", "rateLimit", "requests", "per", "cors", "origins", "basePath", "owner", "audit", "accessLog"];
const vocabulary = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, nasty, fc.constantFrom(...KEYS), tie("object"), fc.array(tie("value"), { maxLength: 3 })),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie("value"), { maxKeys: 5 }),
})).object;

const share = (weight: number) => Math.max(1, Math.round(RUNS * weight));

describe("the compile pipeline under fuzzing", () => {
  it("compiles generated gateways written as YAML or JSON", async () => {
    await fc.assert(fc.asyncProperty(gatewayConfig, fc.boolean(), async (config, yaml) => compileText(asText(config, yaml), yaml ? "yaml" : "json")), { numRuns: share(0.3) });
  }, 600_000);

  it("compiles valid configs with any part replaced or removed", async () => {
    await fc.assert(fc.asyncProperty(mutated, fc.boolean(), async ([value, path, replacement], yaml) => compileText(asText(withReplaced(value, path, replacement), yaml), yaml ? "yaml" : "json")), { numRuns: share(0.35) });
  }, 600_000);

  it("compiles damaged config text", async () => {
    await fc.assert(fc.asyncProperty(damaged, async (text) => compileText(text, "yaml")), { numRuns: share(0.15) });
  }, 600_000);

  it("compiles random structures, deep nesting and arbitrary text", async () => {
    const input = fc.oneof(
      vocabulary.chain((value) => fc.boolean().map((yaml) => [asText(value, yaml), yaml] as const)),
      deep.map((text) => [text, true] as const),
      fc.string({ unit: "binary", maxLength: 300 }).map((text) => [text, true] as const),
    );
    await fc.assert(fc.asyncProperty(input, async ([text, yaml]) => compileText(text, yaml ? "yaml" : "json")), { numRuns: share(0.2) });
  }, 600_000);
});
