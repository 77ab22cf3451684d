/**
 * `serve` loads its AI processors and rate-limit services on the first compile that needs them
 * (src/cli/on-demand.ts): never for gateways without those sections, once however many compiles
 * arrive together, and from then on for every compile, so a gateway that drops the section is seen.
 */
import { describe, expect, it } from "vitest";
import { OnDemand } from "../../../src/cli/on-demand.ts";
import type { GatewayIR } from "../../../src/model/ir.ts";

interface Outcome {
  readonly ir?: GatewayIR;
}

const gateway = (name: string, needs: boolean) => ({ ir: { name, needs } as unknown as GatewayIR });

function recorder() {
  const loads: string[] = [];
  const applied: string[] = [];
  let closed = 0;
  const service = new OnDemand<Outcome, { apply(o: Outcome): Promise<void>; addresses(): string[]; close(): Promise<void> }>(
    (ir) => (ir as unknown as { needs: boolean }).needs,
    async () => {
      loads.push("load");
      return {
        apply: async (outcome) => void applied.push(outcome.ir?.name ?? "broken"),
        addresses: () => ["127.0.0.1:9"],
        close: async () => void closed++,
      };
    },
  );
  return { service, loads, applied, closed: () => closed };
}

describe("a service loaded on demand", () => {
  it("is not loaded for compiles that do not need it, nor for a broken one", async () => {
    const { service, loads, applied, closed } = recorder();
    await service.apply(gateway("plain", false));
    await service.apply({});
    expect(loads).toEqual([]);
    expect(applied).toEqual([]);
    expect(service.addresses()).toEqual([]);
    await service.close();
    expect(closed()).toBe(0);
  });

  it("is loaded once for compiles arriving together, then takes every compile", async () => {
    const { service, loads, applied, closed } = recorder();
    await service.apply(gateway("plain", false));
    await Promise.all([service.apply(gateway("ai-1", true)), service.apply(gateway("ai-2", true))]);
    expect(loads).toEqual(["load"]);
    // The gateway drops the section: the loaded service still hears of it (and stops what it ran for it).
    await service.apply(gateway("ai-1", false));
    await service.apply({});
    expect(applied).toEqual(["ai-1", "ai-2", "ai-1", "broken"]);
    expect(service.addresses()).toEqual(["127.0.0.1:9"]);
    await service.close();
    expect(closed()).toBe(1);
  });
});
