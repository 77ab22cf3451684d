import { resolveIdentityHeaders } from "../../model/identity-headers.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { Check } from "./context.ts";

/** Request headers the access logs copy (src/xds/access-log.ts), besides the gateway's identity headers. */
const LOGGED_REQUEST_HEADERS = ["host", "user-agent", "x-request-id"];

/**
 * audit.redactHeaders names only headers some log copies: naming another one would change nothing,
 * and whoever wrote it believes a log held it.
 */
export const checkRedactedHeaders: Check = (config, context) => {
  const names = resolveIdentityHeaders(config.gateway.identityHeaders);
  const logged = new Set([...LOGGED_REQUEST_HEADERS, names.identity, names.subject, names.consumer, names.spiffeId]);
  const out: Diagnostic[] = [];
  for (const [index, name] of (config.audit?.redactHeaders ?? []).entries()) {
    if (logged.has(name.toLowerCase())) continue;
    out.push(
      finding(context.place, "PCL3040", `Header "${name}" is never written to the access log or the audit store, so redacting it changes nothing.`, ["audit", "redactHeaders", index], {
        hint: `remove it: the logs copy only ${[...logged].sort().join(", ")}; credentials (Authorization, API keys, cookies) never are`,
      }),
    );
  }
  return out;
};
