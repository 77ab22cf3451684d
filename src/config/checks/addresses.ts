import { isIP } from "node:net";
import { finding } from "../finding.ts";
import type { Check } from "./context.ts";

/** Names people write for "this machine" or "everywhere", and the address Envoy needs instead. */
const NAMED_ADDRESSES: Readonly<Record<string, string>> = { localhost: "127.0.0.1", "ip6-localhost": "::1", "*": "0.0.0.0", any: "0.0.0.0" };

/** The IP literal someone probably meant: a known name, or the address without spaces or IPv6 brackets. */
function meant(address: string): string | undefined {
  const trimmed = address.trim();
  const named = NAMED_ADDRESSES[trimmed.toLowerCase()];
  if (named) return named;
  const unbracketed = /^\[(.*)\]$/.exec(trimmed)?.[1] ?? trimmed;
  return unbracketed !== address && isIP(unbracketed) !== 0 ? unbracketed : undefined;
}

/**
 * Listener addresses are IP literals. Envoy binds a listener's socket address as written and never
 * resolves a name, so `localhost` or `999.1.1.1` is a rejected listener, not a finding of its own.
 */
export const checkListenerAddresses: Check = (config, context) =>
  config.gateway.listeners.flatMap((listener, index) => {
    const address = listener.address;
    // Envoy's parser takes no IPv6 zone (`fe80::1%eth0`), which node's isIP accepts.
    if (address === undefined || (isIP(address) !== 0 && !address.includes("%"))) return [];
    const near = meant(address);
    const what = address === "" ? "an empty address" : `address '${address}', which is not an IPv4 or IPv6 address`;
    const octets = /^\d+(\.\d+){3}$/.test(address) ? "each of the four numbers of an IPv4 address is 0 to 255; " : "";
    return [finding(context.place, "PCL3031", `listener '${listener.name}' has ${what}; Envoy binds IP addresses only, never host names`, ["gateway", "listeners", index, "address"], {
      hint: `${near ? `did you mean '${near}'? ` : octets}write '0.0.0.0' (every IPv4 interface), '::' (every interface) or one interface's address such as '127.0.0.1'`,
    })];
  });
