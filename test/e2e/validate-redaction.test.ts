// Envoy quotes the rejected config in its message; `portcullis validate` prints that message, so
// inline certificates and keys in it must be redacted before anyone sees it.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { validateBootstrap } from "../../src/envoy/binary.ts";

const KEY_MARKER = "MARKER-OF-A-PRIVATE-KEY-4711";
let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), "portcullis-redaction-"))));
afterAll(() => rm(dir, { recursive: true, force: true }));

it("redacts inline secrets from Envoy's rejection message", async () => {
  const bootstrap = {
    static_resources: {
      secrets: [{ name: "cert", tls_certificate: { certificate_chain: { inline_string: `-----BEGIN CERTIFICATE-----\n${KEY_MARKER}` }, private_key: { inline_string: `-----BEGIN PRIVATE KEY-----\n${KEY_MARKER}` } } }],
      // Rejected by Envoy's proto validation (connect_timeout must be > 0), which quotes the whole bootstrap.
      clusters: [{ name: "c", connect_timeout: "0s", load_assignment: { cluster_name: "c" } }],
    },
  };
  const file = join(dir, "bootstrap.json");
  await writeFile(file, JSON.stringify(bootstrap));
  const verdict = await validateBootstrap(file);
  expect(verdict.ok).toBe(false);
  expect(verdict.message).toMatch(/connect_timeout|Proto constraint/);
  expect(verdict.message).toContain("[redacted]");
  expect(verdict.message).not.toContain(KEY_MARKER);
});
