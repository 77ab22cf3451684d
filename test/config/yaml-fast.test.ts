/**
 * The fast YAML reader against the full parser: on every YAML file of the repository (configs,
 * golden inputs, policy packs, Kubernetes manifests) it gives the same value or leaves the file to
 * the full parser, scalar by scalar as the YAML 1.2 core schema reads them, and it leaves every
 * file with something only the full parser reports or bounds (duplicate keys, anchors and aliases,
 * tags, several documents, syntax errors) to it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { readYamlFast } from "../../src/config/load/yaml-fast.ts";
import { fastLocator } from "../../src/config/load/yaml-fast-positions.ts";
import { fullLocator, parseYaml } from "../../src/config/load/yaml.ts";

const full = (text: string) => parseDocument(text, { uniqueKeys: true, version: "1.2" }).toJS();

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

describe("the fast YAML reader", () => {
  const files = ["examples", "test", "policies"].flatMap(yamlFiles);

  it("reads every YAML file here as the full parser does, or leaves it to it", () => {
    let fast = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const read = readYamlFast(text);
      if (!read) continue;
      fast++;
      expect(read.value, file).toStrictEqual(full(text));
    }
    // Most files take the fast path: the comparison above is not vacuous.
    expect(fast).toBeGreaterThan(files.length * 0.8);
  });

  it.each([
    ["a: 1", { a: 1 }],
    ["a: 0o17", { a: 15 }],
    ["a: 0x1F", { a: 31 }],
    ["a: 1e3", { a: 1000 }],
    ["a: .5", { a: 0.5 }],
    ["a: -.inf", { a: Number.NEGATIVE_INFINITY }],
    ["a: .NaN", { a: Number.NaN }],
    ["a: 1_000", { a: "1_000" }],
    ["a: yes", { a: "yes" }],
    ["a: off", { a: "off" }],
    ["a: True", { a: true }],
    ["a:", { a: null }],
    ["a: ~", { a: null }],
    ["a: '1'", { a: "1" }],
    ["a: 2026-12-31", { a: "2026-12-31" }],
    ["a: 12:30", { a: "12:30" }],
    ["a: +12", { a: 12 }],
    ["a: 007", { a: 7 }],
    ["a: 0b11", { a: "0b11" }],
    ["a: <<", { a: "<<" }],
    ["a: |\n  x\n  y\n", { a: "x\ny\n" }],
    ["", null],
    ["# only a comment", null],
  ])("reads %j as the YAML 1.2 core schema does", (text, value) => {
    expect(full(text)).toStrictEqual(value);
    expect(readYamlFast(text)?.value).toStrictEqual(value);
  });

  it.each([
    ["a duplicate key", "a: 1\na: 2\n"],
    ["an anchor and alias", "a: &x 1\nb: *x\n"],
    ["a tag", "a: !!str 1\n"],
    ["several documents", "a: 1\n---\nb: 2\n"],
    ["a syntax error", "a: [1, 2\n"],
    ["a tab indent", "a:\n\tb: 1\n"],
  ])("leaves %s to the full parser", (_what, text) => {
    expect(readYamlFast(text)).toBeUndefined();
  });

  it("still places findings: positions come from the full parser when asked for", () => {
    const parsed = parseYaml("gateway.yaml", "gateway:\n  name: web\n  listeners:\n    - port: 8080\n", "yaml");
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.locate(["gateway", "listeners", 0, "port"])).toMatchObject({ file: "gateway.yaml", line: 4, column: 13 });
  });
});

/** Every path of a value: each mapping key (as key and value) and sequence item. */
function paths(value: unknown, prefix: (string | number)[] = []): { path: (string | number)[]; part?: "key" }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => [{ path: [...prefix, index] }, ...paths(item, [...prefix, index])]);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => [{ path: [...prefix, key] }, { path: [...prefix, key], part: "key" as const }, ...paths(item, [...prefix, key])]);
  }
  return [];
}

/** Each YAML file under `dirs` the fast reader takes, with its three locators: fast offsets, what loading uses, the full parser's. */
function* locators(dirs: readonly string[]) {
  for (const file of dirs.flatMap(yamlFiles)) {
    const text = readFileSync(file, "utf8");
    const read = readYamlFast(text);
    if (!read) continue;
    yield { file, value: read.value, fast: fastLocator(text, read.spans!), located: parseYaml(file, text, "yaml").locate, reference: fullLocator(file, text) };
  }
}

describe("fast positions", () => {
  it("places every path of every YAML file here where the full parser does, nearly all without it", () => {
    let paths_ = 0;
    let answered = 0;
    for (const { file, value, fast, located, reference } of locators(["examples", "test", "policies"])) {
      for (const { path, part } of paths(value)) {
        paths_++;
        if (fast(path, part)) answered++;
        expect(located(path, part), `${file} ${path.join(".")} ${part ?? ""}`).toEqual(reference(path, part));
      }
    }
    expect(paths_).toBeGreaterThan(10_000);
    expect(answered / paths_).toBeGreaterThan(0.95);
  });

  it("says a path is not written, as the full parser does, nearly always without it (a finding about a default must not parse the file again)", () => {
    let asked = 0;
    let answered = 0;
    for (const { file, value, fast, located, reference } of locators(["examples", "test/fixtures"])) {
      for (const { path } of paths(value)) {
        for (const absent of [[...path, "not-written"], [...path, 9999]]) {
          asked++;
          if (fast(absent) === null) answered++;
          expect(located(absent), `${file} ${absent.join(".")}`).toEqual(reference(absent));
          expect(located(absent)).toBeUndefined();
        }
      }
    }
    expect(asked).toBeGreaterThan(1_000);
    expect(answered / asked).toBeGreaterThan(0.95);
  });

  it.each([
    ["an empty value", "a:\nb: 1\n"],
    ["an empty sequence item", "list:\n  - \n  - 2\n"],
    ["a flow key without a value", "m: {a, b: 1}\n"],
    ["a comment before a value", "a: # why\n  1\n"],
    ["quoted and numeric keys", "\"1\": 2\n3: 4\n'x y': [1,\n  2]\n"],
    ["trailing comment lines", "a:\n  b: 1\n  # note\n\nc: 2\n"],
    ["block scalars", "a: |\n  #not a comment\n\nb: >-\n  folded\n# after\nc: 1\n"],
  ])("places %s as the full parser does", (_what, text) => {
    const located = parseYaml("f.yaml", text, "yaml").locate;
    const reference = fullLocator("f.yaml", text);
    for (const { path, part } of paths(readYamlFast(text)!.value)) expect(located(path, part), `${path.join(".")} ${part ?? ""}`).toEqual(reference(path, part));
  });
});
