// The README's "first config" is what `portcullis init` writes, so a reader who copies it gets the
// same gateway as one who runs init.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.ts";
import { runCommand } from "../../support/cli-process.ts";

const root = join(import.meta.dirname, "..", "..", "..");

describe("README: the first config", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "portcullis-readme-"));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it("loads without findings to the same model as init's starter", async () => {
    const readme = await readFile(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### The first config"));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    await writeFile(join(work, "gateway.config.ts"), block!);
    const fromReadme = await loadConfig(join(work, "gateway.config.ts"));
    expect(fromReadme.diagnostics).toEqual([]);

    const init = await runCommand(process.execPath, [join(root, "bin", "portcullis.js"), "init", "--dir", join(work, "init")], { cwd: work, timeoutMs: 60_000 });
    expect(init.code).toBe(0);
    const fromInit = await loadConfig(join(work, "init", "gateway.config.ts"));
    expect(fromReadme.config).toEqual(fromInit.config);
  });
});
