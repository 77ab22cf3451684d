import { checkListenerAddresses } from "./checks/addresses.ts";
import { checkApiPrefixes } from "./checks/api-prefixes.ts";
import { checkClaimNames } from "./checks/claim-names.ts";
import { checkControlCharacters } from "./checks/control-characters.ts";
import { checkCorsOrigins } from "./checks/cors-origins.ts";
import { checkFormats } from "./checks/formats.ts";
import { checkHostnames } from "./checks/hostnames.ts";
import { checkDuplicateNames, checkPorts, checkResourceNames } from "./checks/names.ts";
import { checkPaths } from "./checks/paths.ts";
import type { Check, CheckContext } from "./checks/context.ts";
import { checkLifecycle } from "./checks/lifecycle.ts";
import { checkReferences } from "./checks/references.ts";
import { checkRetries } from "./checks/retries.ts";
import { checkRoutes } from "./checks/routes.ts";
import { checkRedactedHeaders } from "./checks/redacted-headers.ts";
import { checkUnversionedRoutes } from "./checks/unversioned-routes.ts";
import { checkUpstreamHosts } from "./checks/upstream-hosts.ts";
import { checkLogicalDns, checkUpstreams } from "./checks/upstreams.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { hasErrors } from "./diagnostics.ts";
import type { Locate } from "./locate.ts";
import { schemaFindings } from "./schema-findings.ts";
import type { GatewayConfig } from "./types.ts";

const CHECKS: readonly Check[] = [checkReferences, checkDuplicateNames, checkPorts, checkRoutes, checkLifecycle, checkUpstreams,
  checkHostnames, checkFormats, checkPaths, checkApiPrefixes, checkLogicalDns, checkResourceNames, checkListenerAddresses, checkControlCharacters,
  checkUpstreamHosts, checkRetries, checkCorsOrigins, checkClaimNames, checkUnversionedRoutes, checkRedactedHeaders];

export interface ValidateOptions {
  /** File named in locations that `locate` cannot place. */
  readonly file?: string;
  /** Today as `YYYY-MM-DD`, for sunset checks; defaults to the current UTC date. */
  readonly today?: string;
}

/**
 * Validates a loaded value: the JSON Schema first (every violation), then — once the shape is
 * right — the semantic checks. Pure: the same value, locator and date give the same findings.
 */
export function validateConfig(config: unknown, locate: Locate, options: ValidateOptions = {}): Diagnostic[] {
  const place = { file: options.file ?? "<config>", locate };
  const schema = schemaFindings(config, place);
  const model = config as GatewayConfig;
  const context: CheckContext = {
    place,
    today: options.today ?? new Date().toISOString().slice(0, 10),
    strict: (model.zeroTrust?.mode ?? "strict") === "strict",
  };
  // All findings in one run: the checks also read a config with schema errors. A check that trips
  // over a malformed part reports nothing, since the schema findings already say what is wrong.
  const shapeIsValid = !hasErrors(schema);
  return [...schema, ...CHECKS.flatMap((check) => (shapeIsValid ? check(model, context) : bestEffort(check, model, context)))];
}

function bestEffort(check: Check, model: GatewayConfig, context: CheckContext): Diagnostic[] {
  try {
    return check(model, context);
  } catch {
    return [];
  }
}
