/** The change audit's records: a config the control plane started serving, and each rollout step per node. */
import type { RolloutEvent } from "../server/node-status.ts";
import type { GitProvenance } from "./provenance.ts";

export type { RolloutEvent };

export interface ConfigChange {
  /** When the control plane started serving it. */
  readonly time: string;
  readonly gateway: string;
  /** The snapshot version (a content hash of the resources). */
  readonly version: string;
  readonly configHash: string;
  readonly file: string;
  readonly git?: GitProvenance;
}
