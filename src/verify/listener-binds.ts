/**
 * No listener binds beyond what the config names: each Listener is one the compile result has,
 * on exactly its address and port, with no additional addresses and no other kind of socket.
 */
import type { Listener } from "../../generated/envoy/config/listener/v3/listener_pb.js";
import type { VerifyExpectations } from "./expectations.ts";
import type { Violations } from "./violations.ts";

function bound(listener: Listener): string | undefined {
  const address = listener.address?.address;
  if (address?.case !== "socketAddress" || address.value.portSpecifier.case !== "portValue") return undefined;
  return `${address.value.address}:${address.value.portSpecifier.value}`;
}

export function verifyListenerBinds(listeners: readonly Listener[], expected: VerifyExpectations, out: Violations): void {
  for (const listener of listeners) {
    const resource = { kind: "Listener" as const, name: listener.name };
    const named = expected.listenerBinds.get(listener.name);
    const actual = bound(listener) ?? "an address that is not an IP and port";
    if (!named) out.add("PCL6040", resource, "name", `the config names no listener ${listener.name}, yet it binds ${actual}.`);
    else if (actual !== `${named.address}:${named.port}`) out.add("PCL6040", resource, "address", `binds ${actual}; the config names ${named.address}:${named.port}.`);
    if (listener.additionalAddresses.length > 0) out.add("PCL6040", resource, "additional_addresses", `binds ${listener.additionalAddresses.length} more address(es) the config does not name.`);
  }
}
