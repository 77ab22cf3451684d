import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/cli/command.ts";
import { redisUrlFlag } from "../../../src/cli/redis-url.ts";

describe("Redis URLs on the command line", () => {
  it("takes a URL without a password as given", () => {
    expect(redisUrlFlag("--redis", "redis://redis.internal:6379/2", {})).toBe("redis://redis.internal:6379/2");
    expect(redisUrlFlag("--redis", undefined, {})).toBeUndefined();
  });

  it("refuses a password where every user of the machine can read it, without repeating it", () => {
    for (const url of ["redis://:s3cret@redis.internal:6379", "rediss://app:s3cret@redis.internal:6380", "redis://:s3cret@[bad"]) {
      const refusal = (() => {
        try {
          redisUrlFlag("--ratelimit-redis", url, {});
        } catch (error) {
          return error as Error;
        }
        return undefined;
      })();
      expect(refusal).toBeInstanceOf(UsageError);
      expect(refusal?.message).toContain("--ratelimit-redis env:NAME");
      expect(refusal?.message).not.toContain("s3cret");
    }
  });

  it("reads env:NAME from the environment, and says when it is not set", () => {
    expect(redisUrlFlag("--redis", "env:BUDGET_REDIS", { BUDGET_REDIS: "redis://:s3cret@r:6379" })).toBe("redis://:s3cret@r:6379");
    expect(() => redisUrlFlag("--redis", "env:BUDGET_REDIS", {})).toThrow("the environment variable BUDGET_REDIS is not set");
  });
});
