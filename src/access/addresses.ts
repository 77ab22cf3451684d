/** Client addresses for the access matrix: whether one is in a range, and one to stand for a range. */
import { BlockList, isIPv6 } from "node:net";

function blockList(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [address = "", length] = range.split("/");
    const type = isIPv6(address) ? "ipv6" : "ipv4";
    list.addSubnet(address, Number(length ?? (type === "ipv6" ? 128 : 32)), type);
  }
  return list;
}

/** Whether `address` lies in any of `ranges` (CIDRs, or single addresses). */
export function inRanges(address: string, ranges: readonly string[]): boolean {
  return ranges.length > 0 && blockList(ranges).check(address, isIPv6(address) ? "ipv6" : "ipv4");
}

/** An address inside a range: its address part, which the range always contains. */
export function representativeAddress(range: string): string {
  return range.split("/")[0]!;
}

/** Documentation addresses (RFC 5737), none of which is likely to be in a real rule's range. */
const CANDIDATES = ["192.0.2.10", "198.51.100.10", "203.0.113.10"];

/** An address in none of the ranges: a caller "from anywhere else". */
export function unnamedAddress(ranges: readonly string[]): string {
  return CANDIDATES.find((candidate) => !inRanges(candidate, ranges)) ?? "192.0.2.10";
}
