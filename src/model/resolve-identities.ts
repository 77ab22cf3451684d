import { readFileSync } from "node:fs";
import { isAbsolute, resolve as resolvePath } from "node:path";
import type { Identity, JwtIdentity } from "../config/types.ts";
import type { ClusterIR, JwtProviderIR } from "./ir.ts";
import { checkJwks } from "./jwks-checks.ts";
import type { Reporter } from "./report.ts";
import { durationOr } from "./resolve-clusters.ts";
import type { SecretSource } from "./secrets.ts";

const DEFAULT_TOKEN_SOURCE = [{ header: "Authorization", prefix: "Bearer " }];

/** The cluster Envoy fetches a remote JWKS through: DNS, TLS checked against the system trust store. */
function jwksCluster(name: string, url: URL): ClusterIR {
  return {
    name,
    discovery: "strict-dns",
    endpoints: [{ host: url.hostname, port: Number(url.port || 443) }],
    protocol: "http1",
    // The JWKS host name must be on its certificate: any publicly trusted certificate would otherwise do.
    tls: { sni: url.hostname, expectedSpiffeIds: [], expectedSans: [url.hostname] },
    connectTimeoutMs: 5_000,
    loadBalancing: "round_robin",
    circuitBreaker: { maxConnections: 64, maxPendingRequests: 64, maxRequests: 64, maxRetries: 3 },
  };
}

function jwks(name: string, identity: JwtIdentity, source: SecretSource, report: Reporter, clusters: ClusterIR[]): JwtProviderIR["jwks"] | undefined {
  const path = ["identities", name, "jwks"];
  const keys = identity.jwks;
  if ("file" in keys) {
    // Public keys, not a secret: read in every mode (compile --check too) and written inline, so
    // Envoy needs no file and no fetch. A key set Envoy cannot use fails every token, so it is an error.
    const file = isAbsolute(keys.file) ? keys.file : resolvePath(source.baseDir, keys.file);
    source.files?.add(file);
    let json: string;
    try {
      json = readFileSync(file, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
      report.error("PCL4075", `JWKS file ${keys.file} cannot be read (${reason}), so Envoy would verify no token.`, [...path, "file"], "Check the path; it is relative to the config file.");
      return undefined;
    }
    return checkJwks(json, keys.file, report, [...path, "file"]) ? { kind: "local", json } : undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(keys.url);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "https:") {
    report.error("PCL4007", `JWKS URL "${keys.url}" is not an https URL: keys fetched in the clear could be replaced in transit.`, [...path, "url"], "Serve the JWKS over https, or use a local JWKS file.");
    return undefined;
  }
  // A dot cannot appear in a provider name, so this never collides with a provider's cluster.
  const cluster = `jwks.${name}`;
  clusters.push(jwksCluster(cluster, url));
  return { kind: "remote", uri: url.href, cluster, cacheDurationMs: durationOr(keys.cacheDuration, 600_000, report, [...path, "cacheDuration"]) };
}

/**
 * Identity headers read claims through Envoy's metadata formatter, whose path separator is ':';
 * a namespaced claim (`https://example.com/roles`) cannot be addressed there. Access rules still read it.
 */
function reportUnforwardableClaims(name: string, identity: JwtIdentity, report: Reporter): void {
  for (const kind of ["subject", "scopes", "roles", "groups"] as const) {
    const claim = identity.claims?.[kind];
    if (!claim?.includes(":")) continue;
    report.warning(
      "PCL4036",
      `Claim "${claim}" holds a ':', so its value cannot be forwarded in the ${kind} identity header (access rules still check it).`,
      ["identities", name, "claims", kind],
      "Have the issuer also emit the value under a plain claim name, or accept that upstreams do not get this header.",
    );
  }
}

/** JWT identities as jwt_authn providers; remote JWKS add their own clusters to `clusters`. */
export function resolveJwtProviders(identities: Readonly<Record<string, Identity>>, source: SecretSource, report: Reporter, clusters: ClusterIR[]): JwtProviderIR[] {
  return Object.keys(identities)
    .sort()
    .flatMap((name) => {
      const identity = identities[name];
      if (identity?.type !== "jwt") return [];
      const keys = jwks(name, identity, source, report, clusters);
      if (!keys) return [];
      const from = identity.from ?? DEFAULT_TOKEN_SOURCE;
      reportUnforwardableClaims(name, identity, report);
      return [
        {
          name,
          issuer: identity.issuer,
          audiences: [...(identity.audiences ?? [])].sort(),
          jwks: keys,
          clockSkewSeconds: identity.clockSkewSeconds ?? 60,
          fromHeaders: from.flatMap((s) => ("header" in s ? [{ name: s.header, prefix: s.prefix ?? "" }] : [])),
          fromParams: from.flatMap((s) => ("query" in s ? [s.query] : [])),
          fromCookies: from.flatMap((s) => ("cookie" in s ? [s.cookie] : [])),
          claims: {
            subject: identity.claims?.subject ?? "sub",
            scopes: identity.claims?.scopes ?? "scope",
            ...(identity.claims?.roles ? { roles: identity.claims.roles } : {}),
            ...(identity.claims?.groups ? { groups: identity.claims.groups } : {}),
          },
        },
      ];
    });
}
