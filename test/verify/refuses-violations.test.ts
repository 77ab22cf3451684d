/**
 * A snapshot the verifier rejects never leaves Portcullis: with a translator bug planted in the
 * process (fixtures/compiler-bug.ts, loaded with --import), `compile --check` and `compile` fail
 * and write nothing, and `serve` keeps pushing its last good snapshot — to a real ADS client —
 * while /status shows the violation.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { runCommand } from "../support/cli-process.ts";
import { freePorts } from "../support/ports.ts";
import { type ServeProcess, startServe } from "../support/serve-process.ts";
import { sotwStream } from "../support/ads-client.ts";
import { PLANTED_CLUSTER } from "./fixtures/compiler-bug.ts";

const PLANT = { NODE_OPTIONS: `--import=${resolve("test/verify/fixtures/compiler-bug.ts")}` };
const CLUSTER_TYPE_URL = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

/** A small gateway; `bug` adds the provider the planted bug reacts to. */
function config(port: number, bug: boolean): string {
  const bugProvider = bug ? `  compiler-bug: { type: service, endpoints: ["127.0.0.1:9"], plaintext: { reason: test backend on loopback } }\n` : "";
  const bugRoute = bug ? `          - { name: bug, match: { path: /bug, methods: [GET] }, provider: compiler-bug }\n` : "";
  return `gateway:
  name: verify-refuses
  listeners: [{ name: web, address: 127.0.0.1, port: ${port}, hostnames: [localhost] }]
providers:
  hello: { type: service, endpoints: ["127.0.0.1:9"], plaintext: { reason: test backend on loopback } }
${bugProvider}apis:
  - name: hello
    owner: test
    description: A test API.
    basePath: /hello
    versions:
      v1:
        state: published
        access: { public: { reason: verifier test } }
        routes:
          - { name: greet, match: { path: /, methods: [GET] }, provider: hello }
${bugRoute}`;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portcullis-verify-refuses-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCommand(resolve("node_modules/.bin/node"), [resolve("src/cli/main.ts"), ...args], { cwd: dir, env: { ...process.env, ...PLANT }, timeoutMs: 120_000 });

describe("compile with a planted compiler bug", () => {
  it("compile --check exits 1 with the violation, naming the cluster", async () => {
    await writeFile(join(dir, "gateway.yaml"), config(18080, true));
    const result = await cli(["compile", "--check", "gateway.yaml", "--format", "json"]);
    expect(result.code).toBe(1);
    const findings = JSON.parse(result.stdout) as { code: string; message: string }[] | { diagnostics: { code: string; message: string }[] };
    const list = Array.isArray(findings) ? findings : findings.diagnostics;
    expect(list.find((d) => d.code === "PCL6010")?.message).toContain(`Cluster ${PLANTED_CLUSTER}, transport_socket`);
  });

  it("compile writes nothing, and the same config without the trigger compiles clean", async () => {
    const out = join(dir, "out-bug");
    const bad = await cli(["compile", "gateway.yaml", "--out", out]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("PCL6010");
    await expect(readdir(out)).rejects.toThrow();
    await writeFile(join(dir, "gateway.yaml"), config(18080, false));
    const good = await cli(["compile", "gateway.yaml", "--out", join(dir, "out-good")]);
    expect(good.stdout).not.toContain("PCL60");
    expect(good.code).toBe(0);
  });
});

describe("serve with a planted compiler bug", () => {
  let serve: ServeProcess | undefined;
  afterAll(() => {
    serve?.child.kill("SIGKILL");
  });

  interface Status {
    gateways: { version: string | null; upToDate: boolean; diagnostics: { code: string; message: string }[] }[];
  }
  const status = async () => ((await (await serve!.admin("/status"))?.json()) as Status | undefined)?.gateways[0];

  async function servedClusters(xdsPort: number): Promise<string[]> {
    const stream = sotwStream(`127.0.0.1:${xdsPort}`);
    try {
      stream.send({ node: { id: "verify", cluster: "verify-refuses" }, typeUrl: CLUSTER_TYPE_URL });
      const response = await stream.next((r) => r.typeUrl === CLUSTER_TYPE_URL, 10_000);
      return response.resources.map((any) => fromBinary(ClusterSchema, any.value).name).sort();
    } finally {
      stream.close();
    }
  }

  it("keeps the last good snapshot and shows the violation on /status", { timeout: 120_000 }, async () => {
    const file = join(dir, "served.yaml");
    const [listenerPort, xdsPort, adminPort] = (await freePorts(3)) as [number, number, number];
    await writeFile(file, config(listenerPort, false));
    serve = await startServe(file, { xdsPort, adminPort, watch: true, env: PLANT });
    const good = await status();
    expect(good).toMatchObject({ upToDate: true });
    const before = await servedClusters(xdsPort);
    expect(before).toContain("hello");

    await writeFile(file, config(listenerPort, true));
    const deadline = Date.now() + 60_000;
    let now = await status();
    while (!now?.diagnostics.some((d) => d.code === "PCL6010") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      now = await status();
    }
    expect(now?.diagnostics.find((d) => d.code === "PCL6010")?.message).toContain(PLANTED_CLUSTER);
    expect(now).toMatchObject({ upToDate: false, version: good!.version });
    const after = await servedClusters(xdsPort);
    expect(after).toEqual(before);
    expect(after).not.toContain(PLANTED_CLUSTER);
    expect(serve.output()).toContain("still serving the last good snapshot");
  });
});
