/**
 * Rate limits: a route's own and its API's, with the key each counts by checked against who the
 * route admits. A key on an identity the route does not guarantee would leave some callers with
 * no key at all, and Envoy counts nothing for a request without one: that is refused, never
 * accepted as a limit that silently does not apply.
 */
import type { ApiRateLimit, GatewaySettings, Identity, RateLimit } from "../config/types.ts";
import type { AccessIR, AllowRuleIR, IdentityHeadersIR, RateLimitIR, RateLimitServiceIR } from "./ir.ts";
import type { Reporter } from "./report.ts";
import { durationOr } from "./resolve-clusters.ts";

const PERIOD_SECONDS = { second: 1, minute: 60, hour: 3600 } as const;
const PRINCIPAL = { jwt: "subject", apiKey: "consumer", mtls: "spiffeId" } as const;

export const RATE_LIMIT_SERVICE_CLUSTER = "portcullis_ratelimit";
const DEFAULT_SERVICE_ADDRESS = "127.0.0.1:18002";
const DEFAULT_SERVICE_TIMEOUT_MS = 1000;

type Path = readonly (string | number)[];

export interface RateLimitContext {
  /** The route's (or, for an API limit, each covered route's) access. */
  readonly access: AccessIR;
  /** The route's id, named in findings (an API's limit is checked on each of its routes). */
  readonly route: string;
  readonly identities: Readonly<Record<string, Identity>>;
  readonly identityHeaders: IdentityHeadersIR;
  readonly report: Reporter;
}

/** The rules of a route, when every one names an identity; undefined (and a finding) otherwise. */
function identityRules(limit: RateLimit, path: Path, context: RateLimitContext, what: string): readonly AllowRuleIR[] | undefined {
  const access = context.access;
  const rules = access.kind === "identities" ? access.rules : [];
  const anonymous = access.kind !== "identities" || rules.some((rule) => rule.identityType === "address");
  if (!anonymous) return rules;
  context.report.error(
    "PCL4080",
    `Rate limit by ${limit.by} needs ${what} on every request, but route ${context.route} admits ${access.kind === "public" ? "everyone (public)" : "callers by address alone"}: those requests would have no ${limit.by} to count by, and would not be limited.`,
    [...path, "by"],
    'Count by "client" (the caller\'s address) or "global" here, or require an identity in every allow rule of that route.',
  );
  return undefined;
}

function keyDetails(limit: RateLimit, path: Path, context: RateLimitContext): Pick<RateLimitIR, "keyHeader" | "identities" | "teams"> | undefined {
  const by = limit.by ?? "global";
  if (by === "global" || by === "client") return {};
  const rules = identityRules(limit, path, context, by === "identity" ? "a verified identity" : "an API-key consumer");
  if (!rules) return undefined;
  if (by === "identity") {
    const headers = context.identityHeaders;
    const identities = new Map(rules.map((rule) => [rule.identity ?? "", headers[PRINCIPAL[rule.identityType as keyof typeof PRINCIPAL]]]));
    return { keyHeader: headers.identity, identities: [...identities].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, principalHeader]) => ({ name, principalHeader })) };
  }
  const notKeys = rules.filter((rule) => rule.identityType !== "apiKey");
  if (notKeys.length > 0) {
    context.report.error("PCL4080", `Rate limit by ${by} counts API-key consumers, but route ${context.route} also admits identity "${notKeys[0]!.identity}" (${notKeys[0]!.identityType}), whose callers have no consumer to count by.`, [...path, "by"], 'Count by "identity" (every verified caller), or admit only API-key identities on that route.');
    return undefined;
  }
  const keyHeader = context.identityHeaders.consumer;
  if (by === "consumer") return { keyHeader };
  const teams = new Map<string, string[]>();
  for (const rule of rules) {
    const identity = context.identities[rule.identity ?? ""];
    const consumers = identity?.type === "apiKey" ? identity.consumers : [];
    for (const name of rule.apiKey?.consumers ?? []) {
      const team = consumers.find((consumer) => consumer.name === name)?.team;
      if (team === undefined) {
        context.report.error("PCL4081", `Rate limit by team, but consumer "${name}" of identity "${rule.identity}" has no team: its requests would not be counted.`, [...path, "by"], `Give consumer "${name}" a team (identities.${rule.identity}.consumers), or count by "consumer".`);
        return undefined;
      }
      teams.set(team, [...(teams.get(team) ?? []), name]);
    }
  }
  return { keyHeader, teams: [...teams].sort(([a], [b]) => (a < b ? -1 : 1)).map(([team, members]) => ({ team, consumers: [...new Set(members)].sort() })) };
}

/** What local mode (Envoy's local_ratelimit) cannot count; refused so that nothing is accepted without effect. */
function localRefusal(limit: RateLimit, scope: RateLimitIR["scope"]): { what: string; field: string } | undefined {
  if (scope !== "route") return { what: `An API-wide limit (scope "${scope}") in local mode`, field: "mode" };
  if (limit.failureMode !== undefined) return { what: "failureMode in local mode (there is no service that could fail)", field: "failureMode" };
  return undefined;
}

function reportLocalRefusal(limit: RateLimit, scope: RateLimitIR["scope"], path: Path, report: Reporter): boolean {
  const refusal = (limit.mode ?? "local") === "local" ? localRefusal(limit, scope) : undefined;
  if (refusal) report.error("PCL4082", `${refusal.what} is not supported yet.`, [...path, refusal.field], 'Use mode: "global" (Portcullis\'s rate-limit service counts for the whole fleet).');
  return refusal !== undefined;
}

/** An API's limit, checked once for what does not depend on the route (each route checks its key). */
export function checkApiRateLimit(limit: ApiRateLimit, apiIndex: number, report: Reporter): void {
  reportLocalRefusal(limit, limit.scope ?? "api", ["apis", apiIndex, "rateLimit"], report);
}

/**
 * A limit as the IR holds it, or undefined when it is refused (the finding says why; for an API's
 * limit, checkApiRateLimit said what is wrong with the limit itself).
 */
export function resolveRateLimit(limit: RateLimit | ApiRateLimit, policy: string, scope: RateLimitIR["scope"], path: Path, context: RateLimitContext): RateLimitIR | undefined {
  const mode = limit.mode ?? "local";
  if (scope === "route" ? reportLocalRefusal(limit, scope, path, context.report) : mode === "local" && localRefusal(limit, scope)) return undefined;
  const details = keyDetails(limit, path, context);
  if (!details) return undefined;
  return {
    policy,
    requests: limit.requests,
    periodSeconds: PERIOD_SECONDS[limit.per],
    by: limit.by ?? "global",
    scope,
    mode,
    failureMode: limit.failureMode ?? "deny",
    ...details,
  };
}

/** The service's address and timeout, when some route's limit is global. */
export function resolveRateLimitService(gateway: GatewaySettings, needed: boolean, report: Reporter): RateLimitServiceIR | undefined {
  if (!needed) return undefined;
  const settings = gateway.rateLimitService ?? {};
  const address = settings.address ?? DEFAULT_SERVICE_ADDRESS;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    report.error("PCL4083", `Rate-limit service address "${address}" is not host:port.`, ["gateway", "rateLimitService", "address"], 'Write it as host:port, e.g. "127.0.0.1:18002" or "ratelimit.internal:18002".');
    return undefined;
  }
  return {
    host: match[1] ?? match[2]!,
    port,
    timeoutMs: durationOr(settings.timeout, DEFAULT_SERVICE_TIMEOUT_MS, report, ["gateway", "rateLimitService", "timeout"]),
    cluster: RATE_LIMIT_SERVICE_CLUSTER,
  };
}
