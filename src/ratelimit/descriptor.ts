/**
 * What a descriptor Envoy sends means: the limit (policy name and quota, written by the compiler
 * into the route, src/xds/ratelimit-descriptors.ts) and the key it is counted under. The service
 * needs no config of its own: every Envoy of every gateway can share one.
 */
import type { RateLimitDescriptor } from "../../generated/envoy/extensions/common/ratelimit/v3/ratelimit_pb.js";
import { DESCRIPTOR_KEYS } from "../xds/ratelimit-descriptors.ts";

export interface CountedLimit {
  readonly policy: string;
  readonly requests: number;
  readonly periodSeconds: number;
  /** Names the count: the gateway (domain), then every entry, so each key value counts apart. */
  readonly counter: string;
}

const QUOTA = /^([1-9]\d{0,9})\/([1-9]\d{0,5})$/;

/** The limit a descriptor names, or undefined for one Portcullis did not write (the request is then refused as invalid). */
export function countedLimit(domain: string, descriptor: RateLimitDescriptor): CountedLimit | undefined {
  const [policy, quota] = descriptor.entries;
  if (policy?.key !== DESCRIPTOR_KEYS.policy || quota?.key !== DESCRIPTOR_KEYS.quota) return undefined;
  const match = QUOTA.exec(quota.value);
  if (!match || policy.value === "") return undefined;
  return {
    policy: policy.value,
    requests: Number(match[1]),
    periodSeconds: Number(match[2]),
    counter: JSON.stringify([domain, ...descriptor.entries.map((entry) => [entry.key, entry.value])]),
  };
}
