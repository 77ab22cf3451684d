// The TypeScript example runs as shipped: `portcullis dev-certs` makes every secret it names (and
// dev.env with the variables it reads), then `portcullis up` serves it through real Envoy: TLS with
// the example's host names, API keys from the variable and the file, an mTLS caller with the
// example's SPIFFE ID, and TLS with a SPIFFE check to a local stand-in of the orders service.
import { X509Certificate } from "node:crypto";
import { cp, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer as createH2Server, type Http2Server } from "node:http2";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/http-load.ts";
import { runCommand, startCommand, type RunningCommand } from "../support/cli-process.ts";
import { freePorts } from "../support/ports.ts";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "bin", "portcullis.js");
const example = join(root, "examples", "typescript");

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** An HTTPS request to 127.0.0.1 as a client of `host` would make it: SNI, Host and trust in the development CA. */
function httpsRequest(port: number, host: string, path: string, options: { method?: string; headers?: Record<string, string>; ca: string; cert?: string; key?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: "127.0.0.1", port, path, method: options.method ?? "GET", servername: host, headers: { host, ...options.headers }, ca: options.ca, cert: options.cert, key: options.key, agent: false },
      (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end();
  });
}

/** dev.env as a map: NAME=value lines, # comments skipped. */
function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(text.split("\n").filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line)).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

describe("portcullis dev-certs, then up, on the TypeScript example", () => {
  let dir: string;
  let made: { code: number; stdout: string; stderr: string };
  let env: Record<string, string>;
  let ca: string;
  let orders: TlsServer;
  let ordersH2: Http2Server;
  const ordersSaw: { path: string; method: string; headers: Record<string, unknown> }[] = [];
  let up: RunningCommand;
  let publicPort: number;
  let meshPort: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "portcullis-dev-certs-"));
    await cp(example, dir, { recursive: true, filter: (source) => !source.includes(`${join(example, "secrets")}`) });
    made = await runCommand(process.execPath, [cli, "dev-certs", dir], { cwd: dir, timeoutMs: 60_000 });
    if (made.code !== 0) return;
    env = parseEnvFile(await readFile(join(dir, "secrets", "dev.env"), "utf8"));
    ca = await readFile(join(dir, "secrets", "dev-ca.pem"), "utf8");

    // A stand-in for the orders service: HTTP/2 over TLS with the certificate dev-certs made for it.
    // The generated cluster offers no ALPN (RFC 9113 wants "h2"; servers that insist, as Node's
    // HTTP/2 server does, refuse it), so the TLS socket is handed over as if "h2" had been agreed.
    ordersH2 = createH2Server((req, res) => {
      if (req.url !== "/healthz") ordersSaw.push({ path: req.url, method: req.method, headers: { ...req.headers } });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ service: "orders", path: req.url, method: req.method }));
    });
    const [ordersPort, publicFree, meshFree, admin] = (await freePorts(4)) as [number, number, number, number];
    [publicPort, meshPort] = [publicFree, meshFree];
    orders = createTlsServer({ cert: await readFile(join(dir, "secrets", "services", "orders.crt")), key: await readFile(join(dir, "secrets", "services", "orders.key")) }, (socket) => {
      Object.defineProperty(socket, "alpnProtocol", { value: "h2" });
      ordersH2.emit("connection", socket);
    });
    await new Promise<void>((resolve) => orders.listen(ordersPort, "127.0.0.1", resolve));

    // The example on free ports, its orders service here, its AI processor on a socket of its own.
    const configFile = join(dir, "gateway.config.ts");
    const config = (await readFile(configFile, "utf8"))
      .replace("port: 8443,", `port: ${publicPort},`)
      .replace("port: 9443,", `port: ${meshPort},`)
      .replace('"orders.shop.internal:8443"', `"127.0.0.1:${ordersPort}"`)
      .replace('basePath: "/ai/v1",', `basePath: "/ai/v1",\n    processor: { address: "unix:${join(dir, "ai.sock")}" },`);
    await writeFile(configFile, config);
    up = startCommand(process.execPath, [cli, "up", dir, "--envoy-admin-port", String(admin), "--no-watch", "--quiet-access-log", "--usage-db", join(dir, "usage.db")], {
      cwd: dir,
      env: { ...process.env, ...env, NO_COLOR: "1" },
    });
    await up.waitFor(/Portcullis is up/, 60_000);
  }, 120_000);

  afterAll(async () => {
    await up?.stop();
    orders?.close();
    ordersH2?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("makes every secret file the example names, keys readable by their owner only, and dev.env", async () => {
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    const named = [...(await readFile(join(example, "gateway.config.ts"), "utf8")).matchAll(/file\("([^"]+)"\)/g)].map((match) => match[1]!);
    expect(named).toEqual(expect.arrayContaining(["secrets/api.crt", "secrets/api.key", "secrets/mesh.crt", "secrets/mesh.key", "secrets/mesh-ca.pem", "secrets/globex.keys"]));
    for (const file of named) expect((await stat(join(dir, file))).isFile(), file).toBe(true);
    for (const key of ["api.key", "mesh.key", "dev-ca.key", "globex.keys", "dev.env", "clients/mesh-checkout.key"]) expect((await stat(join(dir, "secrets", key))).mode & 0o077, key).toBe(0);
    expect(await readFile(join(dir, "secrets", ".gitignore"), "utf8")).toMatch(/^\*$/m);
    expect(Object.keys(env).sort()).toEqual(["ACME_API_KEYS", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "TOOLS_MCP_TOKEN"]);
    // No key reaches the terminal.
    expect(made.stdout).not.toContain(env["ACME_API_KEYS"]);
  });

  it("gives the certificates the example's host names and SPIFFE IDs, signed by the development CA", async () => {
    const caCert = new X509Certificate(ca);
    const certificate = async (file: string) => new X509Certificate(await readFile(join(dir, "secrets", file)));
    const api = await certificate("api.crt");
    expect(api.subjectAltName).toBe("DNS:api.shop.example, DNS:*.shop.example");
    expect(api.verify(caCert.publicKey)).toBe(true);
    expect((await certificate("mesh.crt")).subjectAltName).toBe("DNS:internal.shop.example");
    expect((await certificate("clients/mesh-checkout.crt")).subjectAltName).toBe("URI:spiffe://shop.example/ns/shop/sa/checkout");
    expect((await certificate("mesh-ca.pem")).fingerprint256).toBe(caCert.fingerprint256);
    expect(caCert.ca).toBe(true);
  });

  it("keeps what exists on a second run", async () => {
    const before = await readFile(join(dir, "secrets", "api.crt"), "utf8");
    const again = await runCommand(process.execPath, [cli, "dev-certs", dir], { cwd: dir, timeoutMs: 60_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("= kept");
    expect(again.stdout).not.toContain("✓");
    expect(await readFile(join(dir, "secrets", "api.crt"), "utf8")).toBe(before);
  });

  it("serves acme's API key (from ACME_API_KEYS) over TLS for api.shop.example, through to the orders service over TLS with its SPIFFE ID checked", async () => {
    const answer = await eventually(
      () => httpsRequest(publicPort, "api.shop.example", "/v2/orders", { headers: { "x-api-key": env["ACME_API_KEYS"]! }, ca }),
      (result) => result.status === 200,
      "the orders stand-in to be healthy and reached through Envoy",
      30_000,
    );
    expect(JSON.parse(answer.body)).toMatchObject({ service: "orders", method: "GET" });
  });

  it("sends the orders service the path as the client sent it (version and base path included), or as the route rewrites it, and who the caller is", async () => {
    const key = { "x-api-key": env["ACME_API_KEYS"]! };
    expect((await httpsRequest(publicPort, "api.shop.example", "/v2/orders", { headers: key, ca })).status).toBe(200);
    expect(ordersSaw.at(-1)).toMatchObject({ path: "/v2/orders", headers: { ":authority": "api.shop.example", "x-portcullis-identity": "partners", "x-portcullis-consumer": "acme" } });
    expect(ordersSaw.at(-1)!.headers["x-api-key"]).toBeUndefined();
    // Route get: match { template: "/{id}" }, rewrite { template: "/internal/orders/{id}" }.
    expect((await httpsRequest(publicPort, "api.shop.example", "/v2/orders/7", { headers: key, ca })).status).toBe(200);
    expect(ordersSaw.at(-1)).toMatchObject({ path: "/internal/orders/7", method: "GET" });
  });

  it("knows globex's key from secrets/globex.keys: a known caller this route does not admit is 403, an unknown key 401", async () => {
    const globex = (await readFile(join(dir, "secrets", "globex.keys"), "utf8")).split("\n").find((line) => line && !line.startsWith("#"))!;
    expect((await httpsRequest(publicPort, "api.shop.example", "/v2/orders", { headers: { "x-api-key": globex }, ca })).status).toBe(403);
    expect((await httpsRequest(publicPort, "api.shop.example", "/v2/orders", { headers: { "x-api-key": "not-a-key-anyone-was-given" }, ca })).status).toBe(401);
  });

  it("admits the checkout client's certificate on the mTLS listener for internal.shop.example", async () => {
    const client = { cert: await readFile(join(dir, "secrets", "clients", "mesh-checkout.crt"), "utf8"), key: await readFile(join(dir, "secrets", "clients", "mesh-checkout.key"), "utf8") };
    const answer = await httpsRequest(meshPort, "internal.shop.example", "/v2/orders/42/fulfil", { method: "POST", ca, ...client });
    expect(answer.status).toBe(200);
    expect(ordersSaw.at(-1)).toMatchObject({ path: "/v2/orders/42/fulfil", method: "POST", headers: { "x-portcullis-spiffe-id": "spiffe://shop.example/ns/shop/sa/checkout" } });
    await expect(httpsRequest(meshPort, "internal.shop.example", "/v2/orders/42/fulfil", { method: "POST", ca })).rejects.toThrow();
  });
});
