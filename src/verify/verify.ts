/**
 * The verifier: proves invariants on the generated Envoy resources themselves — what Envoy will
 * do, not what the config meant — against only what the compile result allows (public routes,
 * plaintext upstreams, listener addresses, the gateway's own headers). `compile` runs it before
 * writing or checking output, `serve` before pushing a snapshot. Any violation is a compiler bug.
 */
import type { GatewayIR } from "../model/ir.ts";
import type { Snapshot } from "../xds/snapshot.ts";
import { verifyClientHeaders } from "./client-headers.ts";
import { type VerifyExpectations, verifyExpectations } from "./expectations.ts";
import { verifyHardening } from "./hardening.ts";
import { verifyListenerBinds } from "./listener-binds.ts";
import { generatedResources } from "./resources.ts";
import { verifyRouteAccess } from "./route-access.ts";
import { verifyUpstreamTls } from "./upstream-tls.ts";
import { type Violation, Violations } from "./violations.ts";

export type { Violation } from "./violations.ts";

/** Every violation of the snapshot against the expectations; empty when the output is sound. */
export function verifyResources(snapshot: Snapshot, expected: VerifyExpectations): Violation[] {
  const resources = generatedResources(snapshot);
  const out = new Violations();
  verifyListenerBinds(resources.listeners, expected, out);
  verifyHardening(resources.connectionManagers, expected, out);
  verifyClientHeaders(resources.connectionManagers, expected, out);
  verifyRouteAccess(resources, expected, out);
  verifyUpstreamTls(resources.clusters, expected, out);
  return out.list;
}

/** The verifier over a compile result: its snapshot, judged by what its IR allows. */
export function verifySnapshot(snapshot: Snapshot, ir: GatewayIR): Violation[] {
  return verifyResources(snapshot, verifyExpectations(ir));
}
