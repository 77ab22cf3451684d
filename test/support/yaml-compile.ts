/**
 * Compiling YAML configs that share a head (gateway, identities) from a test's own temp dir: one
 * file per compile, so findings point at lines of the whole file, head included.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { compileGatewayFile } from "../../src/compile.ts";
import type { SecretMode } from "../../src/model/secrets.ts";

/** The key of the API-key consumer `alice` of the AI and MCP compile tests' `apps` identity. */
export const APP_KEYS = "app-key-0123456789abcdef";

/** The head of the AI compile tests: gateway `ai` on ai.test, API-key identity `apps` with consumer alice. */
export const AI_HEAD = `gateway:
  name: ai
  listeners: [{ name: web, port: 8080, hostnames: [ai.test] }]
identities:
  apps: { type: apiKey, consumers: [{ name: alice, keys: { env: APP_KEYS } }] }
`;

/**
 * Call at a test file's top level: the temp dir goes after its tests. Every compile reads `env`
 * (a compile's own `more` added) and secrets as `secrets` says (read by default).
 */
export function yamlCompiler(head: string, options: { readonly env?: Readonly<Record<string, string>>; readonly secrets?: SecretMode } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-yaml-compile-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;
  return (yaml: string, more: Readonly<Record<string, string>> = {}) => {
    const file = join(dir, `gateway-${++count}.yaml`);
    writeFileSync(file, head + yaml);
    return compileGatewayFile(file, { env: { ...options.env, ...more }, ...(options.secrets ? { secrets: options.secrets } : {}) });
  };
}
