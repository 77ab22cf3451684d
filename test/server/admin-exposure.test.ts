/**
 * The admin endpoint stays on loopback unless asked for (`serve --admin-host ADDR --expose-admin`,
 * e.g. for Kubernetes httpGet probes); exposed, it says so on /status, and nothing it serves
 * (/status, /metrics, /catalog) holds a secret of the configs it serves.
 */
import { networkInterfaces } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { compileGateway } from "../../src/compile.ts";
import { UserError } from "../../src/errors.ts";
import { type ControlPlane, startControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { aiGatewayConfig } from "../support/ai-gateway.ts";

/** An IPv4 address of this machine that is not loopback, if it has one. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === "IPv4" && !address.internal)?.address;

const SECRETS = { ALICE_KEYS: "gw-alice-admin-5c1d0e9f7a", BOB_KEYS: "gw-bob-admin-8e2a6b4c3d", OPENAI_KEY: "sk-proj-admin-3f9e1a7b", ANTHROPIC_KEY: "sk-ant-admin-6d2c8e0a" };

const planes: ControlPlane[] = [];
afterAll(async () => Promise.all(planes.map((plane) => plane.close())));

describe("the admin endpoint beyond loopback", () => {
  it("is refused without exposeAdmin, before anything listens", async () => {
    await expect(startControlPlane({ adminHost: "0.0.0.0", log: silentLogger, processMetrics: false })).rejects.toThrow(UserError);
    await expect(startControlPlane({ adminHost: "0.0.0.0", log: silentLogger, processMetrics: false })).rejects.toThrow(/refusing to serve the admin endpoint on 0\.0\.0\.0.*--expose-admin/);
  });

  it("is not announced as exposed on loopback", async () => {
    const plane = await startControlPlane({ log: silentLogger, processMetrics: false });
    planes.push(plane);
    expect(plane.status()).not.toHaveProperty("admin");
  });

  it("with exposeAdmin, answers on every address with a warning on /status, and shows no secret of the served config", async () => {
    const plane = await startControlPlane({ adminHost: "0.0.0.0", exposeAdmin: true, log: silentLogger, processMetrics: false });
    planes.push(plane);
    const outcome = compileGateway(aiGatewayConfig({ listener: 10000, processor: 10001, openai: 10002, anthropic: 10003 }), undefined, { env: SECRETS });
    expect(outcome.snapshot).toBeDefined();
    plane.configs.apply({ file: "gateway.yaml", gateway: "ai-e2e", ...outcome });
    const host = external ?? "127.0.0.1";
    const pages = await Promise.all(["/status", "/metrics", "/catalog"].map(async (path) => (await fetch(`http://${host}:${plane.adminPort}${path}`)).text()));
    expect(JSON.parse(pages[0]!)).toMatchObject({ admin: { host: "0.0.0.0", warning: expect.stringMatching(/--expose-admin/) }, gateways: [{ gateway: "ai-e2e" }] });
    expect(pages[2]).toContain("ai-e2e");
    for (const [index, page] of pages.entries()) {
      for (const [name, value] of Object.entries(SECRETS)) expect(page.includes(value), `${name} on page ${index}`).toBe(false);
    }
  });
});
