/**
 * One audit record per request, built from Envoy's HTTP access-log entry. Only the fields below
 * are kept: the path loses its query string (which may carry an API key), the request headers are
 * only the gateway's identity headers minus audit.redactHeaders, and of the dynamic metadata only
 * the id of the rule that admitted the caller and a verified token's subject claim are read. Whatever else Envoy sends is dropped here.
 */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { HTTPAccessLogEntry } from "../../generated/envoy/data/accesslog/v3/accesslog_pb.js";
import type { Address } from "../../generated/envoy/config/core/v3/address_pb.js";
import { RequestMethod } from "../../generated/envoy/config/core/v3/base_pb.js";
import type { IdentityHeadersIR } from "../model/ir.ts";
import { routeIdOf } from "../xds/route-metadata.ts";
import { type Decision, decide } from "./decision.ts";

export interface AuditRecord {
  /** When the request started, ISO 8601 with milliseconds (UTC). */
  readonly time: string;
  readonly requestId: string;
  readonly gateway: string;
  readonly api?: string;
  readonly version?: string;
  readonly route?: string;
  readonly method: string;
  /** Without the query string. */
  readonly path: string;
  /** 0 when no response was sent. */
  readonly status: number;
  /** The identity (config name) whose rule admitted the caller. */
  readonly identity?: string;
  readonly subject?: string;
  readonly consumer?: string;
  readonly team?: string;
  readonly spiffeId?: string;
  readonly clientAddress?: string;
  readonly decision: Decision;
  readonly reason?: string;
  readonly upstreamCluster?: string;
  readonly upstreamHost?: string;
  readonly durationMs: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
}

/** What the receiver knows of a gateway, from its config. */
export interface AuditGateway {
  readonly identityHeaders: IdentityHeadersIR;
  /** audit.redactHeaders, lower case. */
  readonly redactHeaders: ReadonlySet<string>;
  /** API-key consumer → team. */
  readonly teams: ReadonlyMap<string, string>;
  /** JWT identity → the path of the claim that holds its subject. */
  readonly jwtSubjects: ReadonlyMap<string, readonly string[]>;
  /** The ids of its routes. */
  readonly routes: ReadonlySet<string>;
}

const RBAC_METADATA = "envoy.filters.http.rbac";
const JWT_METADATA = "envoy.filters.http.jwt_authn";
const ADMITTING_POLICY = "shadow_effective_policy_id";

function socketAddress(address: Address | undefined): string | undefined {
  return address?.address.case === "socketAddress" ? address.address.value.address : undefined;
}

function upstreamHost(address: Address | undefined): string | undefined {
  if (address?.address.case !== "socketAddress") return undefined;
  const socket = address.address.value;
  const host = socket.address.includes(":") ? `[${socket.address}]` : socket.address;
  return socket.portSpecifier.case === "portValue" ? `${host}:${socket.portSpecifier.value}` : host;
}

/**
 * The JWT identity that verified the caller's token and its subject, from jwt_authn's payload (the
 * verified claims, never the token): what names a caller whom an access rule then refused, since
 * the identity headers are set only for admitted requests.
 */
function verifiedToken(metadata: JsonObject | undefined, gateway: AuditGateway | undefined): { identity: string; subject?: string } | undefined {
  for (const [identity, path] of gateway?.jwtSubjects ?? []) {
    let claim: JsonValue | undefined = metadata?.[identity];
    if (claim === undefined) continue;
    for (const key of path) claim = claim && typeof claim === "object" && !Array.isArray(claim) ? claim[key] : undefined;
    return { identity, ...(typeof claim === "string" && claim ? { subject: claim } : {}) };
  }
  return undefined;
}

const ms = (duration: { seconds: bigint; nanos: number } | undefined): number => (duration ? Number(duration.seconds) * 1000 + Math.round(duration.nanos / 1e6) : 0);
const present = (value: string | undefined): string | undefined => (value ? value : undefined);

export function auditRecord(gatewayName: string, entry: HTTPAccessLogEntry, gateway: AuditGateway | undefined): AuditRecord {
  const common = entry.commonProperties;
  const request = entry.request;
  const response = entry.response;
  const headers = request?.requestHeaders ?? {};
  const names = gateway?.identityHeaders;
  const redacted = gateway?.redactHeaders ?? new Set<string>();
  /** An identity header Envoy sent, unless redacted (a stale config could still send it). */
  const header = (name: string | undefined) => (name && !redacted.has(name) ? present(headers[name]) : undefined);
  const status = response?.responseCode ?? 0;
  const admitting = common?.metadata?.filterMetadata[RBAC_METADATA]?.[ADMITTING_POLICY];
  const consumer = header(names?.consumer);
  const team = consumer ? gateway?.teams.get(consumer) : undefined;
  const peerUriSan = common?.tlsProperties?.peerCertificateProperties?.subjectAltName.find((san) => san.san.case === "uri")?.san.value;
  const start = common?.startTime;
  const time = new Date(start ? Number(start.seconds) * 1000 + Math.floor(start.nanos / 1e6) : Date.now()).toISOString();
  const api = present(common?.customTags.api);
  const version = present(common?.customTags.version);
  const routeName = present(common?.routeName);
  const token = verifiedToken(common?.metadata?.filterMetadata[JWT_METADATA], gateway);
  const fields: Record<string, unknown> = {
    time,
    requestId: request?.requestId ?? "",
    gateway: gatewayName,
    api,
    version,
    route: routeName && routeIdOf(routeName, api, version, (id) => gateway?.routes.has(id) ?? false),
    method: request ? (RequestMethod[request.requestMethod] ?? "UNKNOWN") : "UNKNOWN",
    path: (request?.originalPath || request?.path || "").split("?")[0],
    status,
    identity: header(names?.identity) ?? (typeof admitting === "string" ? present(admitting) : undefined) ?? token?.identity,
    subject: header(names?.subject) ?? (names && redacted.has(names.subject) ? undefined : token?.subject),
    consumer,
    team,
    spiffeId: header(names?.spiffeId) ?? present(peerUriSan),
    clientAddress: socketAddress(common?.downstreamRemoteAddress),
    ...decide(status, response?.responseCodeDetails ?? "", common?.responseFlags),
    upstreamCluster: present(common?.upstreamCluster),
    upstreamHost: upstreamHost(common?.upstreamRemoteAddress),
    durationMs: ms(common?.duration),
    bytesReceived: Number(request?.requestBodyBytes ?? 0n),
    bytesSent: Number(response?.responseBodyBytes ?? 0n),
  };
  for (const key of Object.keys(fields)) if (fields[key] === undefined) delete fields[key];
  return fields as unknown as AuditRecord;
}
