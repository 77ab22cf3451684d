/** A throwaway PKI for mTLS tests, made with the openssl CLI in a temp dir. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  /** Issues a certificate signed by the CA with these subjectAltName entries (e.g. "URI:spiffe://x/y"). */
  issue(name: string, subjectAltNames: readonly string[]): { certFile: string; keyFile: string };
  remove(): void;
}

const openssl = (dir: string, args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
// Valid for 30 days: longer than the 14 days within which serve warns that a certificate expires (PCL4072).
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-pki-"));
  openssl(dir, ["req", "-x509", ...EC_KEY, "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=portcullis-test-ca"]);
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    issue(name, subjectAltNames) {
      writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${subjectAltNames.join(",")}\n`);
      openssl(dir, ["req", ...EC_KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`]);
      openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.pem`, "-days", "30", "-extfile", `${name}.ext`]);
      return { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
