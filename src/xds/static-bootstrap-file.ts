import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { validateBootstrap, type EnvoyValidation } from "../envoy/binary.ts";
import { toEnvoyJsonString } from "../envoy/encode.ts";
import { buildStaticBootstrap } from "./bootstrap-static.ts";
import type { Snapshot } from "./snapshot.ts";

/**
 * Real `envoy --mode validate` on a static bootstrap embedding the snapshot. The bootstrap may
 * hold secrets, so it lives in a private temp dir (0700) that is removed afterwards.
 */
export async function validateSnapshot(snapshot: Snapshot): Promise<EnvoyValidation> {
  const dir = await mkdtemp(join(tmpdir(), "portcullis-validate-"));
  try {
    const file = join(dir, "bootstrap.json");
    await writeFile(file, toEnvoyJsonString(BootstrapSchema, buildStaticBootstrap(snapshot)), { mode: 0o600 });
    return await validateBootstrap(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
