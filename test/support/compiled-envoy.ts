/**
 * A config compiled by the real pipeline and served by a real Envoy from a static bootstrap (no
 * control plane): for tests about what the compiled resources make Envoy do.
 */
import { BootstrapSchema } from "../../generated/envoy/config/bootstrap/v3/bootstrap_pb.js";
import { compileGateway, type CompileGatewayResult, type CompileOptions } from "../../src/compile.ts";
import type { GatewayConfig } from "../../src/config/types.ts";
import { toEnvoyJson } from "../../src/envoy/encode.ts";
import type { GatewayIR } from "../../src/model/ir.ts";
import { buildStaticBootstrap } from "../../src/xds/bootstrap-static.ts";
import { type RunningEnvoy, startEnvoy } from "./envoy.ts";

export interface CompiledEnvoy {
  readonly envoy: RunningEnvoy;
  readonly ir: GatewayIR;
  /** The compile's findings (warnings only: an error fails the start). */
  readonly diagnostics: CompileGatewayResult["diagnostics"];
}

/** Compiles `config` and starts Envoy on the result; throws with the findings when it does not compile. */
export async function startCompiledEnvoy(config: GatewayConfig, options: CompileOptions = {}): Promise<CompiledEnvoy> {
  const { snapshot, ir, diagnostics } = compileGateway(config, undefined, options);
  if (!snapshot || !ir) throw new Error(`the test gateway does not compile: ${JSON.stringify(diagnostics, null, 2)}`);
  const envoy = await startEnvoy({ bootstrap: toEnvoyJson(BootstrapSchema, buildStaticBootstrap(snapshot)) as Record<string, unknown> });
  return { envoy, ir, diagnostics };
}
