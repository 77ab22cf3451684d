/**
 * Rereading only the edited item of a YAML config (src/config/load/yaml-reread.ts) against reading
 * the whole file: after every edit — hundreds of random ones, and the hard cases by hand (block
 * scalars keeping their trailing lines, compact and nested sequences, comments, flow collections
 * running over lines, anchors, a second item typed into the first) — the value, the findings and
 * the position of every path are the same. And the reread really happens: the parts an edit left
 * alone are the same objects as before it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { isFrozenConfig } from "../../src/config/frozen-config.ts";
import type { ModelPath } from "../../src/config/locate.ts";
import { fileContent } from "../../src/config/load/file-content.ts";
import { readYamlConfig } from "../../src/config/load/yaml-config.ts";

/** The length of every text the fast reader parses (it still parses it): how much of a file a read looked at. */
const parsed = vi.hoisted(() => ({ lengths: [] as number[] }));
vi.mock("../../src/config/load/yaml-fast.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/config/load/yaml-fast.ts")>();
  const readYamlFast = (text: string) => {
    parsed.lengths.push(text.length);
    return real.readYamlFast(text);
  };
  return { ...real, readYamlFast };
});

/** The longest text the last reread parsed: a fragment when it read the edited items again, the file when it read it whole. */
let lastRereadParsed = 0;

let fresh = 0;

/** What a file that was never read before reads to. */
const wholeRead = (text: string) => readYamlConfig(`whole-${fresh++}.yaml`, text);

/** Every path of a value, with the mapping keys asked for as keys too. */
function paths(value: unknown, at: ModelPath = []): { path: ModelPath; part?: "key" }[] {
  if (value === null || typeof value !== "object") return [{ path: at }];
  const children = Array.isArray(value)
    ? value.flatMap((child, index) => paths(child, [...at, index]))
    : Object.entries(value).flatMap(([key, child]) => [{ path: [...at, key], part: "key" as const }, ...paths(child, [...at, key])]);
  return [{ path: at }, ...children];
}

/** The same read, whichever way it was made: value, findings and every position (file names aside). The reread takes the bytes, as loading a file does. */
function expectSameRead(file: string, text: string, context: string) {
  parsed.lengths.length = 0;
  const reread = readYamlConfig(file, fileContent(Buffer.from(text, "utf8")));
  lastRereadParsed = Math.max(0, ...parsed.lengths);
  const whole = wholeRead(text);
  expect(reread.value, context).toStrictEqual(whole.value);
  const findings = (read: typeof whole) => read.diagnostics.map(({ location, ...rest }) => ({ ...rest, location: { ...location, file: "" } }));
  expect(findings(reread), context).toStrictEqual(findings(whole));
  if (whole.value === undefined) return undefined;
  for (const { path, part } of paths(whole.value)) {
    const at = (read: typeof whole) => ({ ...read.locate(path, part), file: "" });
    expect(at(reread), `${context}: ${JSON.stringify(path)} ${part ?? ""}`).toStrictEqual(at(whole));
  }
  return reread.value as Record<string, unknown>;
}

/** A small deterministic generator, so a failure names an edit that can be replayed. */
function random(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % below);
  };
}

const PIECES = [" ", "a", "7", "\n", "- ", ": ", "#", "[", "]", "{", "'", '"', "&x ", "*x", "\t", "|", "|+\n", "\n      ", "\n  - b: 1\n", "- - ", "é"];

function randomEdit(text: string, next: (below: number) => number): string {
  const at = next(text.length);
  switch (next(4)) {
    case 0:
      return text.slice(0, at) + PIECES[next(PIECES.length)]! + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + next(6));
    case 2: {
      const lineStart = text.lastIndexOf("\n", at - 1) + 1;
      const lineEnd = text.indexOf("\n", at) + 1 || text.length;
      return text.slice(0, lineEnd) + text.slice(lineStart, lineEnd) + text.slice(lineEnd);
    }
    default: {
      const lineStart = text.lastIndexOf("\n", at - 1) + 1;
      const lineEnd = text.indexOf("\n", at) + 1 || text.length;
      return text.slice(0, lineStart) + text.slice(lineEnd);
    }
  }
}

const SOURCES = ["test/fixtures/equivalent/gateway.yaml", "examples/quickstart/gateway.yaml", "examples/ai/gateway.yaml"];

describe("rereading the edited item of a YAML config", () => {
  it.each(SOURCES)("reads %s after each of 150 random edits as a whole read does", (source) => {
    const original = readFileSync(source, "utf8");
    const next = random(source.length);
    const file = `random-${source}`;
    let rereads = 0;
    for (let edit = 0; edit < 150; edit++) {
      // Each edit starts from the original text: most random edits break the file.
      readYamlConfig(file, original);
      const edited = randomEdit(original, next);
      const read = expectSameRead(file, edited, `random edit ${edit} of ${source}`);
      // Read item by item: only a fragment was parsed (sharing alone would not tell: a whole read shares too).
      if (read && edited !== original && lastRereadParsed < edited.length / 2) rereads++;
    }
    // Not vacuous: many of the edits were read again item by item.
    expect(rereads).toBeGreaterThan(15);
  });

  // More edits than a chain of moves is let grow (MAX_REREADS): later rereads place paths from a text of their own, and still read only the edited item.
  it("reads 130 edits in a row, each of a route or an API, item by item and as a whole read does, sharing what they left alone", () => {
    const file = "in-a-row.yaml";
    let text = readFileSync("test/fixtures/equivalent/gateway.yaml", "utf8");
    let before = readYamlConfig(file, text).value as Record<string, unknown>;
    const next = random(7);
    for (let edit = 0; edit < 130; edit++) {
      // Names of routes (and APIs): items below `apis:`.
      const names = [...text.matchAll(/^( +)- name: (\S+)$/gm)].filter((match) => match.index > text.indexOf("\napis:"));
      const chosen = names[next(names.length)]!;
      const at = chosen.index + chosen[0].length;
      text = `${text.slice(0, at)}-${edit}${edit % 3 === 0 ? `\n${chosen[1]}  x-note-${edit}: edit ${edit}` : ""}${text.slice(at)}`;
      expectSameRead(file, text, `edit ${edit}`);
      expect(lastRereadParsed, `edit ${edit} parsed only the edited item`).toBeLessThan(text.length);
      const after = readYamlConfig(file, text).value as Record<string, unknown>;
      // The gateway section did not change, and is the same object.
      expect(after["gateway"]).toBe(before["gateway"]);
      expect(after["providers"]).toBe(before["providers"]);
      expect(after).not.toBe(before);
      before = after;
    }
  });

  it("reads the edits of a file larger than the blocks it is compared in, from its bytes, as a whole read does", () => {
    const file = "large.yaml";
    const route = (api: number, n: number) => [`      - name: r${n}`, `        match: { path: /a${api}/r${n} }`, "        provider: app"];
    const lines = ["gateway: { name: large }", "apis:", ...Array.from({ length: 40 }, (_, api) => [`  - name: api-${api}`, "    routes:", ...Array.from({ length: 25 }, (_, n) => route(api, n)).flat()]).flat(), ""];
    let text = lines.join("\n");
    expect(text.length).toBeGreaterThan(16 * 4096);
    readYamlConfig(file, fileContent(Buffer.from(text)));
    const next = random(11);
    for (let edit = 0; edit < 40; edit++) {
      const names = [...text.matchAll(/^ {6}- name: (\S+)$/gm)];
      const chosen = names[next(names.length)]!;
      const lineEnd = text.indexOf("\n", chosen.index) + 1;
      const itemEnd = text.indexOf("\n", text.indexOf("provider:", lineEnd)) + 1;
      switch (edit % 4) {
        case 0: // renamed, with a character outside ASCII every eighth time (the file is then read as text)
          text = `${text.slice(0, lineEnd - 1)}${edit % 8 === 0 ? "é" : ""}-${edit}${text.slice(lineEnd - 1)}`;
          break;
        case 1: // a route added after it
          text = `${text.slice(0, itemEnd)}${route(99, edit).join("\n")}\n${text.slice(itemEnd)}`;
          break;
        case 2: // removed
          text = `${text.slice(0, chosen.index)}${text.slice(itemEnd)}`;
          break;
        default: // its path changed to one as long
          text = `${text.slice(0, lineEnd)}${text.slice(lineEnd, itemEnd).replace("/r", "/x")}${text.slice(itemEnd)}`;
      }
      expectSameRead(file, text, `edit ${edit}`);
      // Only the edited routes (or, for a removal, the API around them) were parsed again.
      expect(lastRereadParsed, `edit ${edit}`).toBeLessThan(text.length / 20);
    }
  });

  it("reads a route added after a version's last route as a whole read does, sharing the route before it", () => {
    const file = "route-added.yaml";
    const text = ["apis:", "  - name: one", "    routes:", "      - name: a", "        path: /a", "  - name: two", "    routes:", "      - name: b", "        path: /b", ""].join("\n");
    const before = readYamlConfig(file, text).value as { apis: unknown[] };
    const added = text.replace("        path: /a\n", "        path: /a\n      - name: new\n        path: /new\n");
    const after = expectSameRead(file, added, "route added") as { apis: unknown[] };
    // The route before it and the new one were parsed, not the API around them.
    expect(lastRereadParsed).toBe("      - name: a\n        path: /a\n      - name: new\n        path: /new\n".length);
    expect(after.apis[1]).toBe(before.apis[1]);
    expect(after.apis[0]).not.toBe(before.apis[0]);
    // Read again, the API still shares the route the edit left alone.
    const routesOf = (value: { apis: unknown[] }) => (value.apis[0] as { routes: unknown[] }).routes;
    expect(routesOf(after)[0]).toBe(routesOf(before)[0]);
  });

  it("reads items added in the middle of a list, then an edit of an item after them, as a whole read does", () => {
    const file = "items-added.yaml";
    const route = (name: string) => [`      - name: ${name}`, `        path: /${name}`];
    const text = ["apis:", "  - name: one", "    routes:", ...["a", "b", "c"].flatMap(route), "  - name: two", "    routes:", ...route("d"), ""].join("\n");
    const routesOf = (value: Record<string, unknown>) => ((value["apis"] as unknown[])[0] as { routes: unknown[] }).routes;
    const before = readYamlConfig(file, text).value as Record<string, unknown>;
    // Two routes typed in after the first: read with it, they take its place and the ones after move on.
    const added = text.replace("        path: /a\n", `        path: /a\n${[...route("x"), ...route("y")].join("\n")}\n`);
    const after = expectSameRead(file, added, "routes added")!;
    expect(lastRereadParsed).toBe([...route("a"), ...route("x"), ...route("y"), ""].join("\n").length);
    expect(routesOf(after)).toHaveLength(5);
    expect(routesOf(after)[0]).toBe(routesOf(before)[0]);
    expect(routesOf(after)[3]).toBe(routesOf(before)[1]);
    expect(routesOf(after)[4]).toBe(routesOf(before)[2]);
    expect((after["apis"] as unknown[])[1]).toBe((before["apis"] as unknown[])[1]);
    // The last route, after the lines read again, is found where it is now, and only it is read again.
    const edited = added.replace("path: /c\n", "path: /c2\n");
    const again = expectSameRead(file, edited, "route after them edited")!;
    expect(routesOf(again)[4]).not.toBe(routesOf(after)[4]);
    for (const index of [0, 1, 2, 3]) expect(routesOf(again)[index]).toBe(routesOf(after)[index]);
  });

  it("shares with the last read what a whole read finds unchanged, and the items after an insertion", () => {
    const file = "whole-shared.yaml";
    const text = ["first:", "  - name: a", "  - name: b", "  - name: c", "second:", "  kept: true", ""].join("\n");
    const before = readYamlConfig(file, text).value as { first: unknown[]; second: unknown };
    // An item inserted into a list that is no item itself: the whole file is read again.
    const inserted = text.replace("  - name: b\n", "  - name: new\n  - name: b\n");
    const after = expectSameRead(file, inserted, "insertion") as { first: unknown[]; second: unknown };
    expect(after.first).toHaveLength(4);
    expect(after.first[0]).toBe(before.first[0]);
    expect(after.first[2]).toBe(before.first[1]);
    expect(after.first[3]).toBe(before.first[2]);
    expect(after.second).toBe(before.second);
    // An anchor is read by the full parser, never reread.
    const anchored = inserted.replace("  kept: true", "  kept: &no false");
    const whole = expectSameRead(file, anchored, "anchor") as { first: unknown[]; second: unknown };
    expect(whole.first).toBe(after.first);
    expect(whole.second).not.toBe(after.second);
  });

  it.each([
    ["a block scalar that keeps its trailing lines", "list:\n  - a: |+\n      text\n\n\n  - b: 2\nafter: 1\n", "text", "longer text"],
    ["a block scalar of the last item", "list:\n  - a: |+\n      text\n\n", "text", "other"],
    ["a compact nested sequence", "list:\n  - - x\n    - y\n  - z\n", "y", "y2"],
    ["an item whose value starts on the next line", "list:\n  -\n    a: 1\n    b: 2\n  - c\n", "b: 2", "b: 3"],
    ["a comment after the item at a lesser indentation", "list:\n  - a: 1\n# note\n  - b: 2\n", "a: 1", "a: 11"],
    ["a flow collection running on at the item's indentation", "list:\n  - a: [1,\n  2]\nafter: x\n", "[1,", "[1],"],
    ["a sequence at the margin under its key", "list:\n- a: 1\n- b: 2\nafter: 1\n", "a: 1", "a: 2"],
    ["an anchor typed into an item", "list:\n  - a: 1\n  - b: 2\n", "a: 1", "a: &one 1"],
    ["a second item typed into the first", "list:\n  - a: 1\n  - b: 2\n", "a: 1", "a: 1\n  - c: 3"],
    ["a line dedented out of the item", "list:\n  - a: 1\n    b: 2\n  - c: 3\n", "    b: 2", "b: 2"],
    ["the dash removed", "list:\n  - a: 1\n  - b: 2\n", "- a: 1", "a: 1"],
    ["a duplicate key typed into an item", "list:\n  - a: 1\n    b: 2\n", "b: 2", "a: 2"],
    ["a quoted scalar left open", "list:\n  - a: 'x'\n  - b: 2\n", "'x'", "'x"],
    ["a key after the last item at the list's key indentation", "top:\n  list:\n    - a: 1\n  more: 2\n", "a: 1", "a: 1\n  b: 2"],
    ["the next item indented under this one", "list:\n  - a: 1\n  - b: 2\n", "  - b: 2", "    - b: 2"],
    ["CRLF line ends", "list:\r\n  - a: 1\r\n    b: 2\r\n  - c: 3\r\n", "b: 2", "b: 22"],
  ])("reads %s as a whole read does", (_, text, from, to) => {
    const file = `by-hand-${fresh++}.yaml`;
    readYamlConfig(file, text);
    expect(text.includes(from)).toBe(true);
    expectSameRead(file, text.replace(from, to), to);
  });
});

describe("loading an edited YAML config", () => {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-reread-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("shares every API, version and route the edit left alone with the config before it, all frozen", async () => {
    const file = join(dir, "gateway.yaml");
    const text = readFileSync("test/fixtures/equivalent/gateway.yaml", "utf8");
    writeFileSync(file, text);
    const before = (await loadConfig(file)).config!;
    const [route] = [...text.matchAll(/^( +)- name: (\S+)$/gm)].filter((match) => before.apis?.some((api) => Object.values(api.versions ?? {}).some((version) => version.routes?.some((r) => r.name === match[2]))));
    expect(route).toBeDefined();
    writeFileSync(file, text.replace(route![0], `${route![1]}- name: renamed`));
    const after = await loadConfig(file);
    expect(after.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const config = after.config!;
    expect(config.providers).toBe(before.providers);
    const routes = (c: typeof config) => (c.apis ?? []).flatMap((api) => Object.values(api.versions ?? {}).flatMap((version) => version.routes ?? []));
    const renamed = routes(config).filter((r) => r.name === "renamed");
    expect(renamed).toHaveLength(1);
    const kept = routes(config).filter((r) => r.name !== "renamed");
    expect(kept.length).toBeGreaterThan(5);
    for (const one of kept) expect(routes(before)).toContain(one);
    expect(routes(before)).not.toContain(renamed[0]);
    for (const node of [config, config.apis, renamed[0], renamed[0]!.match]) {
      expect(Object.isFrozen(node)).toBe(true);
      expect(isFrozenConfig(node)).toBe(true);
    }
  });
});
