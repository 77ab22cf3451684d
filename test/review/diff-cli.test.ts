/**
 * `portcullis diff` run as the real CLI on a real git repository made here: a config committed on
 * main, changed on a branch, and the sentences the report must say about it.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BASE, CHANGED, git, jwksJson, shopYaml, writeFiles } from "./fixture.ts";

const root = join(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "portcullis-review-"));
const repo = join(work, "repo");
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function diff(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, "src", "cli", "main.ts"), "diff", ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** The base on main, the change committed on a branch that is checked out. */
beforeAll(() => {
  git(work, "init", "-q", "-b", "main", repo);
  writeFiles(repo, { "gateway/gateway.yaml": shopYaml(BASE), "gateway/jwks.json": jwksJson("k1"), "README.md": "shop\n" });
  git(repo, "add", ".");
  git(repo, "commit", "-q", "-m", "the shop gateway");
  cpSync(repo, join(work, "base-checkout"), { recursive: true });
  git(repo, "checkout", "-q", "-b", "loosen");
  writeFiles(repo, { "gateway/gateway.yaml": shopYaml(CHANGED), "gateway/jwks.json": jwksJson("k2") });
  git(repo, "commit", "-q", "-am", "a change that loosens access");
});

const SENTENCES = {
  roleGains: "role clerk of identity customers gains POST /v2/orders",
  becomesPublic: "GET /v2/orders/stats becomes public (reason: dashboards show order counts)",
  consumerLoses: "consumer globex loses access to users v1",
  audienceRemoved: "identity customers: audience legacy-portal removed",
  jwksChanged: "identity customers: JWKS changed (key k2 added; key k1 removed) — a new trust anchor: tokens signed by the new keys are accepted",
  plaintextAdded: "plaintext upstream reports added (10.0.0.7:8080, no TLS)",
  rateLimitRemoved: "GET /v2/orders: rate limit removed (was 100 per minute for all callers together)",
  waiverExtended: "waiver of PCL-ZT-004 for providers.legacy extended from 2030-01-31 to 2030-06-30",
  deprecated: "orders v1: published → deprecated (deprecated on 2026-12-01, sunset 2027-06-30, successor v2)",
};

describe("portcullis diff against the merge base with main", () => {
  it("says what the branch changes, loosening first, each at its config line", async () => {
    const result = await diff(repo, "gateway/gateway.yaml");
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Changes to gateway shop against main \(merge base [0-9a-f]{8}\):\n/);
    for (const sentence of Object.values(SENTENCES)) expect(out).toContain(sentence);
    const lines = out.split("\n");
    const line = (sentence: string) => lines.find((text) => text.includes(sentence))!;
    // Placed where the change is written: the create route's access, the stats route's, users v1's access, the audiences.
    const config = readFileSync(join(repo, "gateway", "gateway.yaml"), "utf8").split("\n");
    const at = (sentence: string) => config[Number(/\(gateway\/gateway\.yaml:(\d+)\)$/.exec(line(sentence))![1]) - 1]!;
    expect(at(SENTENCES.roleGains)).toContain("roles: [clerk]");
    expect(at(SENTENCES.becomesPublic)).toContain("dashboards show order counts");
    expect(at(SENTENCES.consumerLoses)).toContain("consumers: [acme]");
    expect(at(SENTENCES.audienceRemoved)).toContain("audiences: [orders-api]");
    expect(at(SENTENCES.waiverExtended)).toContain('expires: "2030-06-30"');
    // Loosening, then what needs review, then tightening.
    const order = (sentence: string) => lines.indexOf(line(sentence));
    expect(order(SENTENCES.becomesPublic)).toBeLessThan(order(SENTENCES.deprecated));
    expect(order(SENTENCES.deprecated)).toBeLessThan(order(SENTENCES.consumerLoses));
    expect(lines.slice(order(SENTENCES.consumerLoses)).join("\n")).toContain(SENTENCES.audienceRemoved);
    expect(out).toContain("Envoy resources:\n  + added    clusters/reports");
  });

  it("writes a pull-request comment in Markdown and a JSON report for tools", async () => {
    const markdown = (await diff(repo, "gateway/gateway.yaml", "--format", "markdown")).stdout;
    expect(markdown).toMatch(/^<!-- portcullis diff -->\n## Portcullis: what this change does to gateway shop\n\nCompared with main \(merge base [0-9a-f]{8}\)\.\n/);
    const headings = markdown.split("\n").filter((text) => text.startsWith("### "));
    expect(headings).toEqual(["### ⚠️ Loosens access or security (8)", "### Needs review (2)", "### Tightens (2)"]);
    expect(markdown).toContain(`- **access**: ${SENTENCES.roleGains} — \`gateway/gateway.yaml:`);
    expect(markdown).toContain("- **access**: GET /v2/orders/stats becomes public");
    expect(markdown).toContain("<details><summary>Envoy resources (8 changed)</summary>");
    // A new route scope's table lists its routes, not the guards every table carries.
    expect(markdown).toContain("+ added    routes/local_v1_reports\n    + localhost reports.v1.daily:");

    const json = JSON.parse((await diff(repo, "gateway/gateway.yaml", "--format", "json")).stdout) as { base: string; changes: { area: string; risk: string; kind: string; message: string; location: { file: string; line: number } }[] };
    expect(json.base).toMatch(/^main \(merge base/);
    expect(json.changes.find((change) => change.message === SENTENCES.consumerLoses)).toMatchObject({ area: "access", risk: "tightens", kind: "access.loss", location: { file: "gateway/gateway.yaml" } });
    expect(json.changes.find((change) => change.message === SENTENCES.jwksChanged)).toMatchObject({ area: "security", risk: "loosens", kind: "jwt.jwks" });
    expect(json.changes.map((change) => change.risk)).toEqual([...Array(8).fill("loosens"), "review", "review", "tightens", "tightens"]);
  });

  it("annotates each change on its config line for GitHub", async () => {
    const github = (await diff(repo, "gateway/gateway.yaml", "--format", "github")).stdout.split("\n");
    const annotation = github.find((text) => text.endsWith(`::${SENTENCES.roleGains}`));
    expect(annotation).toMatch(/^::warning file=gateway\/gateway\.yaml,line=\d+,col=\d+,title=portcullis diff access\.gain::/);
    expect(github.filter((text) => text.startsWith("::warning ")).length).toBe(12);
  });

  it("includes uncommitted changes, and says so", async () => {
    const file = join(repo, "gateway", "gateway.yaml");
    const committed = readFileSync(file, "utf8");
    writeFileSync(file, committed.replace("roles: [clerk] }] }", "roles: [clerk] }, { identity: partners, consumers: [globex] }] }"));
    try {
      const out = (await diff(repo, "gateway/gateway.yaml")).stdout;
      expect(out).toContain("note: the working tree has uncommitted changes: they are part of the new side");
      // Subjects that gain the same route methods share one sentence.
      expect(out).toContain("  ! consumer globex and role clerk of identity customers gain POST /v2/orders  (gateway/gateway.yaml:55)\n");
      expect(out).not.toContain(SENTENCES.roleGains);
    } finally {
      writeFileSync(file, committed);
    }
  });

  it("compares with a directory holding another checkout", async () => {
    const out = (await diff(repo, "gateway/gateway.yaml", "--against", join(work, "base-checkout"))).stdout;
    expect(out).toContain(`Changes to gateway shop against ../base-checkout:`);
    for (const sentence of Object.values(SENTENCES)) expect(out).toContain(sentence);
  });

  it("compares with a base that no longer passes its policies (an expired waiver), resources aside", async () => {
    const expired = join(work, "expired");
    git(work, "init", "-q", "-b", "main", expired);
    writeFiles(expired, { "gateway.yaml": shopYaml({ ...BASE, legacyWaiverExpires: "2020-01-31" }), "jwks.json": jwksJson("k1") });
    git(expired, "add", ".");
    git(expired, "commit", "-q", "-m", "base with a waiver that has expired since");
    writeFiles(expired, { "gateway.yaml": shopYaml(BASE) });
    const out = (await diff(expired, "--against", "main")).stdout;
    expect(out).toMatch(/^Changes to gateway shop against main \([0-9a-f]{8}\):\n/);
    expect(out).toContain("note: the base config has errors, so Envoy resources are not compared\n");
    expect(out).toContain("  ! waiver of PCL-ZT-004 for providers.legacy extended from 2020-01-31 to 2030-01-31  (gateway.yaml:");
  });

  it("outside a git repository and without --against, says how to name a base", async () => {
    const lone = join(work, "lone");
    writeFiles(lone, { "gateway.yaml": shopYaml(BASE), "jwks.json": jwksJson("k1") });
    const result = await diff(lone, "gateway.yaml");
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("portcullis diff: gateway.yaml is not in a git repository, so there is no branch to compare with: name the base with --against DIR (a checkout of the base, or its generated/ output)\n");
  });
});

describe("the CI recipe (examples/ci/github-actions.yml)", () => {
  it("its diff step annotates the changes and writes the comment it posts, against origin/<base branch>", async () => {
    const workflow = parse(readFileSync(join(root, "examples", "ci", "github-actions.yml"), "utf8")) as { jobs: Record<string, { steps: { name?: string; run?: string }[] }> };
    const step = Object.values(workflow.jobs).flatMap((job) => job.steps).find((candidate) => candidate.name === "portcullis diff")!;
    // Everything but posting the comment, which needs GitHub; the pull request's base as Actions sets it.
    const script = step.run!.split("\n").filter((line) => !line.startsWith("gh ")).join("\n").replaceAll("npx portcullis", `"${process.execPath}" "${join(root, "src", "cli", "main.ts")}"`);
    git(repo, "update-ref", "refs/remotes/origin/main", "main");
    const folder = join(repo, "gateway");
    const { stdout } = await promisify(execFile)("bash", ["-e", "-c", script], { cwd: folder, env: { ...process.env, GITHUB_BASE_REF: "main" } });
    expect(stdout).toContain(`::warning file=gateway.yaml,line=`);
    expect(stdout).toContain(`::${SENTENCES.consumerLoses}\n`);
    const comment = readFileSync(join(folder, "portcullis-diff.md"), "utf8");
    rmSync(join(folder, "portcullis-diff.md"));
    expect(comment).toMatch(/^<!-- portcullis diff -->\n## Portcullis: what this change does to gateway shop\n\nCompared with origin\/main \([0-9a-f]{8}\)\./);
    expect(comment).toContain(`- **access**: ${SENTENCES.roleGains} — \`gateway.yaml:`);
  });
});
