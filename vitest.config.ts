import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/golden-pki.ts"],
    // `npm run coverage`: our code only; the generated Envoy API is not ours to cover.
    coverage: { provider: "v8", include: ["src/**"], exclude: ["generated/**"] },
    // Real Envoy and real servers: give slow CI machines room, but never wait forever.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: run files in parallel across a small pool, tests within a file in order.
    maxWorkers: 2,
  },
});
