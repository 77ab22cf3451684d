import type { Diagnostic } from "../config/diagnostics.ts";
import type { VerifyCode } from "./codes.ts";

/** An Envoy resource a finding is about: its kind (Listener, Cluster, …) and name. */
export interface ResourceRef {
  readonly kind: "Listener" | "RouteConfiguration" | "Cluster";
  readonly name: string;
}

/** A verifier finding: a Diagnostic that names the resource and the field (an Envoy field path). */
export interface Violation extends Diagnostic {
  readonly code: VerifyCode;
  readonly resource: ResourceRef;
  readonly field: string;
}

const HINT =
  "The config compiled without errors, so this is a bug in Portcullis's compiler, not in the config: please report it with the config. " +
  "Nothing was written or pushed.";

/** Collects violations; `add` words them the same way for every invariant. */
export class Violations {
  readonly list: Violation[] = [];

  add(code: VerifyCode, resource: ResourceRef, field: string, problem: string): void {
    this.list.push({ code, severity: "error", message: `${resource.kind} ${resource.name}, ${field}: ${problem}`, hint: HINT, resource, field });
  }
}
