// `up --port` / `--listener-port NAME=PORT`: a quick local run on other ports, checked against the
// config's listeners so that a typo is a usage error, never a flag that silently does nothing.
import { describe, expect, it } from "vitest";
import { listenerPorts, withListenerPorts } from "../../../src/cli/up-ports.ts";
import type { GatewayConfig } from "../../../src/config/types.ts";

const gateway = (...names: string[]): GatewayConfig => ({
  gateway: { name: "g", listeners: names.map((name, index) => ({ name, port: 8080 + index, hostnames: ["localhost"] })) },
});

describe("up's listener port flags", () => {
  it("--port moves a config's only listener; the config itself is not changed", () => {
    const config = gateway("local");
    const moved = withListenerPorts(config, listenerPorts(config, "9090", []));
    expect(moved.gateway.listeners.map((l) => l.port)).toEqual([9090]);
    expect(config.gateway.listeners[0]!.port).toBe(8080);
  });

  it("--listener-port NAME=PORT moves the named listeners only", () => {
    const config = gateway("public", "admin");
    const moved = withListenerPorts(config, listenerPorts(config, undefined, ["admin=9191"]));
    expect(moved.gateway.listeners.map((l) => [l.name, l.port])).toEqual([["public", 8080], ["admin", 9191]]);
  });

  it("refuses what it cannot apply: --port with several listeners, an unknown name, a bad port", () => {
    const config = gateway("public", "admin");
    expect(() => listenerPorts(config, "9090", [])).toThrow("use --listener-port NAME=PORT");
    expect(() => listenerPorts(config, undefined, ["pubic=9090"])).toThrow("names listener 'pubic', which the config does not have (listeners: public, admin)");
    expect(() => listenerPorts(config, undefined, ["public"])).toThrow("NAME=PORT");
    expect(() => listenerPorts(config, undefined, ["public=70000"])).toThrow("--listener-port must be a port number");
  });
});
