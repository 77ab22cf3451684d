/**
 * The API catalog in a real browser: Debian's Chromium driven by playwright-core loads the page
 * `serve` shows at /catalog (the same bytes `portcullis catalog` writes), searches it, reads a
 * version badge and checks every access row against `portcullis explain`. The screenshot is kept
 * in test-results/ as an artifact.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts } from "../support/ports.ts";
import { type ServeProcess, startServe } from "../support/serve-process.ts";
import { writeCatalogFixture } from "../catalog/catalog-fixture.ts";

const run = promisify(execFile);
const cli = (...args: string[]) => run(join(process.cwd(), "node_modules/.bin/node"), ["src/cli/main.ts", ...args], { cwd: process.cwd() });

// Flags a headless Chromium needs on a machine without a network or a desktop session.
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** The little of the DOM these page scripts read (the project's type-check has no DOM library). */
interface PageElement {
  readonly dataset: Record<string, string | undefined>;
  readonly textContent: string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}

interface AccessRow {
  readonly route: string;
  readonly method: string;
  readonly isPublic: boolean;
  readonly callers: string[];
}

describe("API catalog in Chromium", () => {
  let serve: ServeProcess;
  let browser: Browser;
  let config: string;
  let written: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    config = writeCatalogFixture();
    const out = mkdtempSync(join(tmpdir(), "portcullis-catalog-site-"));
    await cli("catalog", config, "--out", out);
    written = readFileSync(join(out, "index.html"), "utf8");
    const [xdsPort, adminPort] = await freePorts(2);
    serve = await startServe(config, { xdsPort: xdsPort!, adminPort: adminPort! });
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    serve?.child.kill("SIGTERM");
    await serve?.exited;
  });

  it("serve's /catalog is the page `portcullis catalog` writes", async () => {
    const answer = await serve.admin("/catalog");
    expect(answer?.status).toBe(200);
    expect(answer?.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await answer!.text()).toBe(written);
  });

  it("loads, shows version badges, searches, and every access row agrees with explain", async () => {
    const page = await browser.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    await page.goto(`http://127.0.0.1:${serve.adminPort}/catalog`);
    expect(await page.title()).toBe("API catalog: catalog-shop");
    expect(await page.locator("article.api").count()).toBe(2);
    expect(await page.locator("#result-count").textContent()).toBe("2 APIs");

    const v1 = page.locator('article[data-api="orders"] [data-version="v1"]');
    await expect.poll(() => v1.locator(".badge").textContent()).toBe("deprecated");
    expect(await v1.locator(".badge").isVisible()).toBe(true);
    expect(await v1.locator(".sunset").textContent()).toBe("sunset 2030-06-30");
    expect(await page.locator('article[data-api="stock"] [data-version="v0"] .badge').textContent()).toBe("retired");

    // Search: a team's name keeps its API and hides the other team.
    await page.fill("#search", "warehouse");
    await expect.poll(() => page.locator("#result-count").textContent()).toBe("1 API");
    expect(await page.locator('article[data-api="orders"]').isVisible()).toBe(false);
    expect(await page.locator('section.team[data-team="team-orders"]').isVisible()).toBe(false);
    expect(await page.locator('article[data-api="stock"]').isVisible()).toBe(true);
    // A lifecycle state finds the APIs with a version in it.
    await page.fill("#search", "deprecated");
    await expect.poll(() => page.locator("article.api:visible").evaluateAll((nodes: PageElement[]) => nodes.map((node) => node.dataset["api"]))).toEqual(["orders"]);
    await page.fill("#search", "");
    await expect.poll(() => page.locator("#result-count").textContent()).toBe("2 APIs");

    const rows: AccessRow[] = await page.locator("tr.route").evaluateAll((nodes: PageElement[]) =>
      nodes.map((row) => {
        return {
          route: row.dataset["route"]!,
          method: row.dataset["method"]!,
          isPublic: row.querySelector("td.access em")?.textContent === "public",
          callers: [...row.querySelectorAll("li[data-caller]")].map((li) => li.dataset["caller"]!),
        };
      }),
    );
    const explained = JSON.parse((await cli("explain", config, "--format", "json")).stdout) as { callers: { id: string }[]; cells: { caller: string; route: string; method: string; outcome: string }[] };
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const allowed = explained.cells.filter((cell) => cell.route === row.route && cell.method === row.method && cell.outcome === "allow").map((cell) => cell.caller);
      if (row.isPublic) expect({ row: `${row.method} ${row.route}`, allowed }).toEqual({ row: `${row.method} ${row.route}`, allowed: explained.callers.map((caller) => caller.id) });
      else expect({ row: `${row.method} ${row.route}`, callers: row.callers }).toEqual({ row: `${row.method} ${row.route}`, callers: allowed });
    }
    expect(rows.map((row) => `${row.method} ${row.route}`)).toEqual(expect.arrayContaining(["GET orders.v2.list", "POST orders.v2.create", "GET stock.v1.get-sku"]));

    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/catalog.png", fullPage: true });
    // The inline script ran under the page's Content-Security-Policy (search worked) and nothing else was blocked.
    expect(consoleErrors).toEqual([]);
  });
});
