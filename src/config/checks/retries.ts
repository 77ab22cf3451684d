import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import { closest } from "../suggest.ts";
import type { Check } from "./context.ts";

/**
 * The conditions Envoy's router retries on (`retry_on`, HTTP and gRPC). Envoy ignores a word it
 * does not know, so a misspelt condition would silently never retry.
 */
const CONDITIONS = [
  "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited", "retriable-4xx", "refused-stream",
  "retriable-status-codes", "retriable-headers", "http3-post-connect-failure",
  "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
];

/** Retry conditions are ones Envoy knows, and status codes are given only where they are retried. */
export const checkRetries: Check = (config, context) => {
  const out: Diagnostic[] = [];
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    const retries = provider.type === "service" ? provider.retries : undefined;
    if (!retries) continue;
    const path = ["providers", name, "retries"];
    for (const [index, condition] of (retries.on ?? []).entries()) {
      if (CONDITIONS.includes(condition)) continue;
      const near = closest(condition, CONDITIONS);
      out.push(finding(context.place, "PCL3034", `'${condition}' is not a retry condition Envoy knows, so it would never trigger a retry`, [...path, "on", index], {
        hint: `${near ? `did you mean '${near}'? ` : ""}use one of: ${CONDITIONS.join(", ")}`,
      }));
    }
    if (retries.statusCodes !== undefined && retries.on !== undefined && !retries.on.includes("retriable-status-codes")) {
      out.push(finding(context.place, "PCL3035", `retries.statusCodes of '${name}' has no effect: retries.on does not include 'retriable-status-codes'`, [...path, "statusCodes"], {
        at: "key",
        hint: "add 'retriable-status-codes' to retries.on, or remove statusCodes",
      }));
    }
  }
  return out;
};
