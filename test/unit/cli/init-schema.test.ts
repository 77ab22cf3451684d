// init's YAML starter names the schema where the new project's own install of Portcullis keeps it,
// so the reference holds for every teammate and CI run, never a path into the Portcullis that ran init.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../support/cli-process.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const cli = join(root, "bin", "portcullis.js");

describe("portcullis init --yaml: the $schema reference", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "portcullis-init-schema-"));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  const schemaLine = async (dir: string) => (await readFile(join(dir, "gateway.yaml"), "utf8")).split("\n")[0];

  it("points into the project's node_modules, where `npm install portcullis` puts it, and says to install it there", async () => {
    const dir = join(work, "fresh");
    const result = await runCommand(process.execPath, [cli, "init", "--yaml", "--dir", dir], { cwd: work, timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(await schemaLine(dir)).toBe("# yaml-language-server: $schema=./node_modules/portcullis/schema/gateway.schema.json");
    expect(result.stdout).toContain("once this project installs it: npm install --save-dev");
  });

  it("finds the project's install above a config in a subdirectory, and the path resolves to it", async () => {
    const project = join(work, "team");
    const installed = join(project, "node_modules", "portcullis", "schema", "gateway.schema.json");
    await mkdir(join(installed, ".."), { recursive: true });
    await writeFile(installed, await readFile(join(root, "schema", "gateway.schema.json")));
    const dir = join(project, "gateways", "edge");
    const result = await runCommand(process.execPath, [cli, "init", "--yaml", "--dir", dir], { cwd: project, timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    const line = await schemaLine(dir);
    expect(line).toBe("# yaml-language-server: $schema=../../node_modules/portcullis/schema/gateway.schema.json");
    expect(resolve(dir, line!.slice(line!.indexOf("=") + 1))).toBe(installed);
    expect(result.stdout).not.toContain("once this project installs it: npm install --save-dev");
  });
});
