/**
 * Encodings cached by content (src/xds/content-key.ts): an extension config and a listener are made
 * once per content and shared, so the key must tell apart every two inits that encode differently
 * — values JSON would write alike (a bigint and its digits, NaN and an unset field, bytes) included
 * — and a shared extension config must not be writable.
 */
import { describe, expect, it } from "vitest";
import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { LocalRateLimitSchema } from "../../generated/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit_pb.js";
import { contentKey } from "../../src/xds/content-key.ts";
import { GenerationCache } from "../../src/model/generation-cache.ts";
import { typedExtension, withExtensionCache } from "../../src/xds/proto.ts";

describe("content keys", () => {
  it("differ wherever the content does, and only there", () => {
    const distinct: unknown[] = [
      { n: 1n },
      { n: "1" },
      { n: 1 },
      { n: Number.NaN },
      { n: null },
      { n: Number.POSITIVE_INFINITY },
      { n: new Uint8Array([1, 2]) },
      { n: new Uint8Array([1, 3]) },
      { n: [1, 2] },
      { n: { "0": 1, "1": 2 } },
      { a: 1, b: 2 },
      { b: 2, a: 1 },
    ];
    const keys = distinct.map(contentKey);
    expect(new Set(keys).size).toBe(distinct.length);
    // A view into a larger buffer is its own bytes.
    const view = new Uint8Array([9, 1, 2, 9]).subarray(1, 3);
    expect(contentKey({ n: view })).toBe(contentKey({ n: new Uint8Array([1, 2]) }));
    // An unset field is one that is not there.
    expect(contentKey({ a: 1, b: undefined })).toBe(contentKey({ a: 1 }));
  });

  it("name a shared extension config by its identity, not by its bytes", () => withExtensionCache(new GenerationCache(), () => {
    const config = (statPrefix: string) => typedExtension("envoy.filters.http.local_ratelimit", LocalRateLimitSchema, { statPrefix, tokenBucket: { maxTokens: 10, tokensPerFill: 10 } });
    const holding = (statPrefix: string) => ({ filters: [config(statPrefix)] });
    expect(contentKey(holding("one"))).toBe(contentKey(holding("one")));
    expect(contentKey(holding("one"))).not.toBe(contentKey(holding("two")));
    expect(contentKey(holding("one"))).not.toContain("bytes");
    // The same content in an Any made elsewhere is written out: another key, so a cache misses rather than mixes them up.
    const copy = { filters: [{ ...config("one"), configType: { case: "typedConfig", value: { ...config("one").configType.value } } }] };
    expect(contentKey(copy)).not.toBe(contentKey(holding("one")));
  }));

  it("share one frozen extension config per content while a gateway is translated", () => withExtensionCache(new GenerationCache(), () => {
    const init = { statPrefix: "route_rate_limit", tokenBucket: { maxTokens: 10, tokensPerFill: 10 } };
    const config = (init: MessageInitShape<typeof LocalRateLimitSchema>) => typedExtension("envoy.filters.http.local_ratelimit", LocalRateLimitSchema, init).configType.value;
    const first = config(init);
    expect(config(structuredClone(init))).toBe(first);
    const other = config({ ...init, statPrefix: "another" });
    expect(other).not.toBe(first);
    expect(other.value).not.toEqual(first.value);
    expect(first.value).toEqual(toBinary(LocalRateLimitSchema, create(LocalRateLimitSchema, init)));
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => Object.assign(first, { typeUrl: "changed" })).toThrow(TypeError);
  }));
});
