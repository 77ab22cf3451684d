/**
 * Loopback or not: whether an address (the xDS bind address, an xDS peer) stays on this host. A
 * plaintext xDS stream is only safe where nobody else can listen or connect: on loopback.
 */
import { isIP } from "node:net";

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x (what a dual-stack socket reports for 127.0.0.1). */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const v4 = bare.toLowerCase().startsWith("::ffff:") ? bare.slice(7) : bare;
  if (isIP(v4) === 4) return v4.startsWith("127.");
  // The URL parser writes an IPv6 address in its shortest form: 0:0:0:0:0:0:0:1 becomes ::1.
  return isIP(bare) === 6 && new URL(`http://[${bare}]`).hostname === "[::1]";
}

/** A host to bind: a loopback address or `localhost` (which resolves to one). */
export function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === "localhost" || isLoopbackAddress(host);
}

/**
 * The address of a gRPC peer string: grpc-js writes `address:port` without brackets, so the port
 * is what follows the last colon ("127.0.0.1:5000", "::1:5000", "::ffff:10.0.0.1:5000").
 */
export function peerAddress(peer: string): string {
  const colon = peer.lastIndexOf(":");
  const address = peer.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return colon !== -1 && /^\d+$/.test(peer.slice(colon + 1)) && isIP(address) !== 0 ? address : peer;
}

/** Whether a gRPC peer connected over loopback; unknown peers are not. */
export function isLoopbackPeer(peer: string): boolean {
  return isLoopbackAddress(peerAddress(peer));
}
