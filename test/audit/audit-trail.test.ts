/**
 * The audit trail through real Envoy and a real `portcullis serve`: Envoy's gRPC access logger
 * sends every request to the receiver serve runs, which stores it with the caller's identity and
 * the gateway's decision — and never a credential; `portcullis audit` filters and formats the
 * records; `portcullis audit config` names the git commit and author of each config served and
 * what each Envoy ACKed or NACKed. The config lives in a git repository the test makes.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { configHistory } from "../../src/audit/config-history.ts";
import { queryRequests } from "../../src/audit/query.ts";
import type { AuditRecord } from "../../src/audit/record.ts";
import { openAuditDatabase } from "../../src/audit/store.ts";
import { adsBootstrap } from "../../src/xds/bootstrap-ads.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { createTestPki, type TestPki } from "../support/certs.ts";
import { runCommand } from "../support/cli-process.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { eventually } from "../support/http-load.ts";
import { rsaSigningKey, signedToken } from "../support/jwt-mint.ts";
import { freePorts } from "../support/ports.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";
import { shopIdentityApi } from "../support/test-apis.ts";

const ISSUER = "https://sso.test/";
const SPIFFE = "spiffe://test.example/ns/shop/sa/checkout";
const signing = rsaSigningKey("k1");
const dir = mkdtempSync(join(tmpdir(), "portcullis-audit-"));
const configFile = join(dir, "gateway.yaml");
const storeFile = join(dir, "audit", "audit.db");
const apiKey = `key-${randomBytes(18).toString("hex")}`;
const cookie = `session-${randomBytes(12).toString("hex")}`;
const node = "node_modules/.bin/node";

let pki: TestPki;
let client: { cert: Buffer; key: Buffer };
let listenerPort = 0;
let blockerPort = 0;
let receiverPort = 0;
let backend: TestBackend;
let serve: ServeProcess;
let blocker: Server;
let serverTls: { certFile: string; keyFile: string };
const tokens: string[] = [];

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_DATE: "2026-11-30T10:00:00Z", GIT_COMMITTER_DATE: "2026-11-30T10:00:00Z" } }).trim();
}

function config(extraListener: boolean) {
  const web = { name: "web", address: "127.0.0.1", port: listenerPort, hostnames: ["api.test"], tls: { certificate: { file: serverTls.certFile }, privateKey: { file: serverTls.keyFile }, clientCertificate: { caCertificate: { file: pki.caFile }, required: false } } };
  return {
    gateway: {
      name: "audited",
      // A port another process holds: Envoy cannot bind it and NACKs the listeners.
      listeners: extraListener ? [web, { name: "blocked", address: "127.0.0.1", port: blockerPort, hostnames: ["blocked.test"] }] : [web],
    },
    identities: {
      staff: { type: "jwt", issuer: ISSUER, jwks: { file: "jwks.json" } },
      partners: { type: "apiKey", consumers: [{ name: "acme", team: "integrations", keys: { file: "partner.keys" } }] },
      mesh: { type: "mtls", clients: [{ name: "checkout", spiffeId: SPIFFE }] },
    },
    providers: { shop: { type: "service", endpoints: [`127.0.0.1:${backend.port}`], plaintext: { reason: "test backend on the loopback interface" } } },
    apis: [shopIdentityApi("a public page for the audit test")],
    audit: { store: "audit/audit.db", receiver: `127.0.0.1:${receiverPort}`, retention: "7d" },
  };
}

function call(path: string, headers: Record<string, string> = {}, withCertificate = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: listenerPort, path, servername: "api.test", headers: { host: "api.test", ...headers }, ca: readFileSync(pki.caFile), agent: false, ...(withCertificate ? client : {}) },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** The stored records (the receiver writes behind, Envoy flushes every second). */
function stored(): AuditRecord[] {
  if (!existsSync(storeFile)) return [];
  const db = openAuditDatabase(storeFile, { readonly: true });
  try {
    return queryRequests(db, { limit: 1000 });
  } finally {
    db.close();
  }
}

const token = (claims: Record<string, unknown>) => {
  const minted = signedToken(signing, ISSUER, undefined, claims);
  tokens.push(minted);
  return minted;
};

const portcullis = (...args: string[]) => runCommand(node, ["src/cli/main.ts", ...args], { cwd: process.cwd(), timeoutMs: 60_000 });

beforeAll(async () => {
  pki = createTestPki();
  serverTls = pki.issue("server", ["DNS:api.test"]);
  const checkout = pki.issue("checkout", [`URI:${SPIFFE}`]);
  client = { cert: readFileSync(checkout.certFile), key: readFileSync(checkout.keyFile) };
  backend = await startBackend("shop");
  let xdsPort: number;
  let adminPort: number;
  [listenerPort, blockerPort, receiverPort, xdsPort, adminPort] = (await freePorts(5)) as [number, number, number, number, number];
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(blockerPort, "127.0.0.1", resolve));
  writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [signing.jwk] }));
  writeFileSync(join(dir, "partner.keys"), `${apiKey}\n`);
  writeFileSync(configFile, stringify(config(false)));
  writeFileSync(join(dir, ".gitignore"), "audit/\n");
  git("init", "-q");
  git("config", "user.name", "Ada Lovelace");
  git("config", "user.email", "ada@example.test");
  git("add", ".");
  git("commit", "-q", "-m", "first gateway");
  serve = await startServe(configFile, { xdsPort, adminPort, watch: true });
  await startEnvoy({ bootstrap: adsBootstrap({ nodeId: "edge-1", cluster: "audited", xdsPort }) as Record<string, unknown> });
  await eventually(() => call("/v1/shop/public").catch(() => 0), (status) => status === 200, "the gateway serving");
}, 60_000);

afterAll(async () => {
  await stopAllEnvoys();
  serve?.child.kill("SIGTERM");
  await serve?.exited;
  await backend?.close();
  blocker?.close();
  pki?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe("traffic audit", () => {
  it("stores each request with the caller's identity and the gateway's decision", async () => {
    // Envoy replaces a client's x-request-id at the edge, so each request is told apart by what it is.
    expect(await call("/v1/shop/staff?debug=1", { authorization: `Bearer ${token({ scope: "shop.read" })}`, cookie })).toBe(200);
    expect(await call(`/v1/shop/partners?api_key=${apiKey}`, { "x-api-key": apiKey })).toBe(200);
    expect(await call("/v1/shop/staff", {}, true)).toBe(200);
    expect(await call("/v1/shop/staff", { authorization: `Bearer ${token({ scope: "other" })}` })).toBe(403);
    expect(await call("/v1/shop/staff", { authorization: `Bearer ${tokens[0]!.slice(0, -6)}AAAAAA` })).toBe(401);
    const jwt = (r: AuditRecord) => r.identity === "staff" && r.status === 200;
    const key = (r: AuditRecord) => r.consumer === "acme";
    const mtls = (r: AuditRecord) => r.identity === "mesh";
    const rbac = (r: AuditRecord) => r.status === 403;
    const badJwt = (r: AuditRecord) => r.status === 401;
    const records = await eventually(async () => stored(), (all) => [jwt, key, mtls, rbac, badJwt].every((found) => all.filter(found).length === 1), "the records in the store");

    expect(records.find(jwt)).toMatchObject({ gateway: "audited", api: "shop", version: "v1", route: "shop.v1.staff", method: "GET", path: "/v1/shop/staff", status: 200, subject: "alice", decision: "allow", requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(records.find(jwt)).toMatchObject({ upstreamCluster: expect.any(String), upstreamHost: `127.0.0.1:${backend.port}`, clientAddress: "127.0.0.1" });
    expect(records.find(key)).toMatchObject({ path: "/v1/shop/partners", status: 200, identity: "partners", team: "integrations", decision: "allow" });
    expect(records.find(mtls)).toMatchObject({ status: 200, spiffeId: SPIFFE, decision: "allow" });
    // Refused by the access rule, but the token was verified: the record says who tried.
    expect(records.find(rbac)).toMatchObject({ path: "/v1/shop/staff", decision: "deny", reason: "rbac: no rule allows the caller", identity: "staff", subject: "alice" });
    expect(records.find(badJwt)).toMatchObject({ decision: "deny", reason: "jwt: Jwt_verification_fails" });
  });

  it("never holds a credential: no token, API key or cookie anywhere in the database files", async () => {
    await eventually(async () => stored().length, (count) => count >= 5, "records written");
    const bytes = ["", "-wal", "-shm"].map((suffix) => `${storeFile}${suffix}`).filter(existsSync).map((file) => readFileSync(file).toString("latin1")).join("");
    expect(bytes).toContain("/v1/shop/partners");
    for (const secret of [apiKey, cookie, ...tokens, ...tokens.map((t) => t.split(".")[2]!)]) expect(bytes).not.toContain(secret);
    expect(bytes.toLowerCase()).not.toContain("authorization");
    expect(bytes).not.toContain("api_key=");
  });

  it("portcullis audit filters by status class, identity and consumer, as a table, JSON or CSV", async () => {
    const denied = await portcullis("audit", configFile, "--status", "4xx", "--since", "1h", "--format", "json");
    expect(denied.stderr).toBe("");
    const deniedRows = JSON.parse(denied.stdout) as AuditRecord[];
    expect(new Set(deniedRows.map((row) => row.status))).toEqual(new Set([401, 403]));

    const staff = JSON.parse((await portcullis("audit", configFile, "--identity", "staff", "--format", "json")).stdout) as AuditRecord[];
    expect(staff.map((row) => [row.status, row.subject]).sort()).toEqual([[200, "alice"], [403, "alice"]]);
    const bySpiffe = JSON.parse((await portcullis("audit", configFile, "--identity", SPIFFE, "--format", "json")).stdout) as AuditRecord[];
    expect(bySpiffe.map((row) => row.identity)).toEqual(["mesh"]);

    const csv = (await portcullis("audit", configFile, "--consumer", "acme", "--format", "csv")).stdout.trim().split("\n");
    expect(csv[0]).toMatch(/^time,request_id,gateway,api,version,route,method,path,status,identity,subject,consumer,team,/);
    expect(csv.slice(1)).toHaveLength(1);
    expect(csv[1]).toContain(",acme,integrations,");

    const table = (await portcullis("audit", configFile, "--api", "shop", "--limit", "2")).stdout.trim().split("\n");
    expect(table[0]).toMatch(/^time\s+gateway\s+api\s+version\s+method\s+path\s+status\s+decision/);
    expect(table).toHaveLength(3);

    const wrong = await portcullis("audit", configFile, "--status", "4x");
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("--status must be a status code (404) or a class (4xx)");
  });
});

describe("change audit", () => {
  it("audit config names the commit, its author and the config hash, and the snapshot the node ACKed", async () => {
    const head = git("rev-parse", "HEAD");
    const history = await eventually(
      async () => (existsSync(storeFile) ? configHistory(openAuditDatabase(storeFile, { readonly: true }), { limit: 10 }) : undefined),
      (found) => Boolean(found?.changes.length && found.nodes.some((n) => n.running)),
      "the config change and the node's ACK",
    );
    expect(history!.changes[0]).toMatchObject({ gateway: "audited", configHash: expect.stringMatching(/^[0-9a-f]{16}$/), git: { commit: head, author: "Ada Lovelace <ada@example.test>", time: "2026-11-30T10:00:00.000Z", dirty: false } });
    expect(history!.nodes).toEqual([expect.objectContaining({ node: "edge-1", gateway: "audited", running: expect.objectContaining({ snapshot: history!.changes[0]!.version }) })]);
  });

  it("an edit Envoy rejects: a new change with its commit, and the node's NACK with Envoy's message", async () => {
    writeFileSync(configFile, stringify(config(true)));
    git("commit", "-q", "-am", "add a listener on a taken port");
    const head = git("rev-parse", "HEAD");
    const out = await eventually(
      () => portcullis("audit", "config", configFile, "--format", "json"),
      (result) => {
        const parsed = result.code === 0 ? (JSON.parse(result.stdout) as ReturnType<typeof configHistory>) : undefined;
        return Boolean(parsed?.changes[0]?.git?.commit === head && parsed.nodes[0]?.lastNack);
      },
      "the second change and the NACK",
      30_000,
    );
    const parsed = JSON.parse(out.stdout) as ReturnType<typeof configHistory>;
    expect(parsed.changes).toHaveLength(2);
    expect(parsed.changes[0]!.configHash).not.toBe(parsed.changes[1]!.configHash);
    const nack = parsed.nodes[0]!.lastNack!;
    expect(nack).toMatchObject({ type: "Listener", snapshot: parsed.changes[0]!.version });
    expect(nack.message).toMatch(/bind|address already in use/i);
    // Reverted to what it accepted: it runs the first snapshot still.
    expect(parsed.nodes[0]!.running?.snapshot).toBe(parsed.changes[1]!.version);

    const text = await portcullis("audit", "config", configFile);
    expect(text.stdout).toContain(head.slice(0, 12));
    expect(text.stdout).toContain("Ada Lovelace <ada@example.test>");
    expect(text.stdout).toMatch(/edge-1\s+audited\s+\S+/);
    expect(text.stdout).toContain("Listener");
  });

  it("an uncommitted edit is recorded as a dirty work tree, with its own config hash", async () => {
    writeFileSync(configFile, `# reviewed by nobody yet\n${stringify(config(false))}`);
    const out = await eventually(
      () => portcullis("audit", "config", configFile, "--format", "json"),
      (result) => result.code === 0 && (JSON.parse(result.stdout) as ReturnType<typeof configHistory>).changes.length === 3,
      "the third change",
      30_000,
    );
    const [latest, nacked, first] = (JSON.parse(out.stdout) as ReturnType<typeof configHistory>).changes;
    expect(latest).toMatchObject({ version: first!.version, git: { commit: nacked!.git!.commit, dirty: true } });
    expect(new Set([latest!.configHash, nacked!.configHash, first!.configHash]).size).toBe(3);
  });
});
