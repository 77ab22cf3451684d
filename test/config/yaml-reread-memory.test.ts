/**
 * A hot reload keeps the last read to read only the edit next time; it must not keep every earlier
 * version of the file with it. Three ways it once did, each a few hundred KB per edit of a
 * 3,000-route file: config values were slices of the text they were parsed from, the edited item's
 * locator kept a slice of the whole file, and each reread's locator held the previous read (and
 * its text) through closures. Measured in heap after full collections, never in time.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadConfig } from "../../src/config/load.ts";

setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** Heap and the memory of array buffers (a reread keeps an ASCII file's bytes, src/config/load/file-content.ts). */
function heapAfterCollection(): number {
  collect();
  collect();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** 60 APIs of 50 routes, with strings long enough that V8 would cut them as views of the text. */
function config(edit: number) {
  return {
    gateway: { name: "memory", listeners: [{ name: "web", port: 8080, hostnames: ["api.example.com"] }] },
    providers: { backend: { type: "service", endpoints: ["10.0.0.1:8080"], plaintext: { reason: "a backend on the private network" } } },
    apis: Array.from({ length: 60 }, (_, api) => ({
      name: `api-${api}`,
      owner: "platform-team",
      basePath: `/api${api}`,
      versions: {
        v1: {
          state: "published",
          access: { public: { reason: "a public catalogue read by anyone" } },
          routes: Array.from({ length: 50 }, (_, route) => ({
            name: `route-${route}`,
            // One route's path changes with each edit; everything else stays.
            match: { prefix: api === 7 && route === 3 ? `/edited-resource-${edit}/` : `/resource-number-${route}/` },
            provider: "backend",
            cors: { origins: ["https://application.example.com"] },
          })),
        },
      },
    })),
  };
}

describe("rereading an edited YAML file", () => {
  it("keeps no earlier version of the file alive", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "reread-memory-")), "gateway.yaml");
    const load = async (edit: number) => {
      writeFileSync(file, stringify(config(edit)));
      const loaded = await loadConfig(file);
      expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      return loaded.config;
    };
    let kept = await load(0);
    for (let edit = 1; edit <= 5; edit++) kept = await load(edit);
    const before = heapAfterCollection();
    // Past the point where a reread places paths from its own text instead of through the moves (yaml-config.ts MAX_REREADS).
    for (let edit = 6; edit <= 65; edit++) kept = await load(edit);
    const grown = heapAfterCollection() - before;
    expect(kept).toBeDefined();
    // Sixty versions of this file are ~30 MB of text; keeping thirty cost ~25 MB of heap.
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  });
});
