import type { GatewayConfig, Route } from "../src/config/types.ts";

const METHODS = [["GET"], ["POST"], ["GET", "PUT", "DELETE"]] as const;

/**
 * A realistic gateway with `routeCount` routes: 10 services, APIs of 50 routes with two versions
 * (one deprecated), a mix of exact, template and prefix matches, rate limits and CORS.
 */
export function generatedConfig(routeCount: number, name = `bench-${routeCount}`): GatewayConfig {
  const providers: GatewayConfig["providers"] = {};
  for (let s = 0; s < 10; s++) {
    providers[`svc-${s}`] = { type: "service", endpoints: [`10.0.${s}.1:8080`, `10.0.${s}.2:8080`], plaintext: { reason: "benchmark backend on a private network" } };
  }
  const apis: NonNullable<GatewayConfig["apis"]> = [];
  const perVersion = 25;
  for (let made = 0, a = 0; made < routeCount; a++) {
    const versions: NonNullable<GatewayConfig["apis"]>[number]["versions"] = {};
    for (const [v, state] of [["v1", "deprecated"], ["v2", "published"]] as const) {
      const routes: Route[] = [];
      for (let r = 0; r < perVersion && made < routeCount; r++, made++) {
        const kind = r % 3;
        routes.push({
          name: `r${r}`,
          match: kind === 0 ? { path: `/res${r}`, methods: [...METHODS[r % 3]!] } : kind === 1 ? { template: `/res${r}/{id}` } : { prefix: `/res${r}/` },
          provider: `svc-${(a + r) % 10}`,
          ...(r % 5 === 0 ? { rateLimit: { requests: 100, per: "second" as const } } : {}),
          ...(r % 7 === 0 ? { cors: { origins: ["https://app.example.com"] } } : {}),
        });
      }
      versions[v] = { state, ...(state === "deprecated" ? { sunset: "2099-01-01", successor: "v2" } : {}), access: { public: { reason: "benchmark API without identities" } }, routes };
    }
    apis.push({ name: `api-${a}`, owner: "bench", basePath: `/api${a}`, versions });
  }
  return { gateway: { name, listeners: [{ name: "web", port: 8080, hostnames: ["api.example.com"] }] }, providers, apis };
}
