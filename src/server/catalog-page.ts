/**
 * The API catalog page `serve` shows at /catalog: built from the IR of each served snapshot, once
 * per set of served versions (the access matrix is not free on large gateways), and loaded on
 * first request so a control plane nobody browses never pays for it.
 */
import type { GatewayRegistry } from "./gateway-registry.ts";

export function catalogPage(registry: GatewayRegistry): () => Promise<string> {
  let cached: { key: string; page: string } | undefined;
  return async () => {
    const served = registry.served();
    const key = served
      .map((gateway) => `${gateway.ir.name}@${gateway.version}`)
      .sort()
      .join(",");
    if (cached?.key === key) return cached.page;
    const [{ buildCatalog }, { renderCatalogPage }] = await Promise.all([import("../catalog/build.ts"), import("../catalog/page.ts")]);
    const page = renderCatalogPage(buildCatalog(served).data);
    cached = { key, page };
    return page;
  };
}
