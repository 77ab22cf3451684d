// Mistakes when starting the control plane are the user's to fix: one clear line and exit 2,
// never "internal error", a stack trace, or a process left running with nothing to serve.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const quickstart = join(root, "examples", "quickstart");

function serve(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "bin", "portcullis.js"), "serve", ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // A serve that started by mistake would run forever; the test fails on the timeout instead.
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("portcullis serve refuses to start, clearly", () => {
  let dir: string;
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "portcullis-serve-errors-"));
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    busy.close();
    await rm(dir, { recursive: true, force: true });
  });

  const expectClear = (result: { code: number | null; stderr: string }, message: RegExp) => {
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  };

  it("when there is no config where it looks", async () => {
    expectClear(await serve([], dir), /^portcullis serve: no gateway config at .*portcullis init writes one/m);
  });

  it("when the xDS port is taken", async () => {
    expectClear(await serve([quickstart, "--xds-port", String(busyPort), "--admin-port", "0"], dir), /cannot listen for xDS on 127\.0\.0\.1:\d+: the port is already in use/);
  });

  it("when the admin port is taken (and does not hang on the xDS server it already started)", async () => {
    expectClear(await serve([quickstart, "--xds-port", "0", "--admin-port", String(busyPort)], dir), /cannot listen for the admin endpoint on 127\.0\.0\.1:\d+: the port is already in use/);
  });

  it("when xDS would be served in plaintext beyond loopback, unless --insecure-xds says so", async () => {
    expectClear(await serve([quickstart, "--host", "0.0.0.0", "--xds-port", "0", "--admin-port", "0"], dir), /refusing to serve xDS on 0\.0\.0\.0 without mTLS.*--insecure-xds/);
    expectClear(await serve([quickstart, "--host", "::", "--xds-port", "0", "--admin-port", "0"], dir), /refusing to serve xDS on :: without mTLS/);
  });

  it("when --insecure-xds would have no effect (loopback, or with mTLS)", async () => {
    expectClear(await serve([quickstart, "--insecure-xds", "--xds-port", "0", "--admin-port", "0"], dir), /--insecure-xds only applies to plaintext xDS on a non-loopback --host/);
    const tls = ["--tls-cert", "a.pem", "--tls-key", "a.key", "--client-ca", "ca.pem"];
    expectClear(await serve([quickstart, "--host", "0.0.0.0", "--insecure-xds", ...tls, "--xds-port", "0", "--admin-port", "0"], dir), /--insecure-xds only applies/);
  });

  it("when the admin endpoint would be served beyond loopback without --expose-admin, or --expose-admin would have no effect", async () => {
    expectClear(await serve([quickstart, "--admin-host", "0.0.0.0", "--xds-port", "0", "--admin-port", "0"], dir), /refusing to serve the admin endpoint on 0\.0\.0\.0.*--expose-admin/);
    expectClear(await serve([quickstart, "--expose-admin", "--xds-port", "0", "--admin-port", "0"], dir), /--expose-admin only applies to a non-loopback --admin-host/);
  });

  it("when a TLS file is missing or not PEM", async () => {
    const notPem = join(dir, "not.pem");
    await writeFile(notPem, "hello\n");
    const tls = (cert: string) => ["--xds-port", "0", "--admin-port", "0", "--tls-cert", cert, "--tls-key", notPem, "--client-ca", notPem];
    expectClear(await serve([quickstart, ...tls(join(dir, "missing.pem"))], dir), /cannot read the xDS server certificate .*missing\.pem \(ENOENT\)/);
    expectClear(await serve([quickstart, ...tls(notPem)], dir), /the xDS server certificate .*not\.pem is not PEM/);
  });
});
