/**
 * Changes to how the gateway talks to its upstreams and listens for clients: plaintext upstreams
 * added, upstream TLS turned off or its server verification weakened, endpoints moved; listener
 * TLS removed or lowered, client certificates no longer required, listeners added or rebound.
 */
import type { ClusterIR, GatewayIR, ListenerIR } from "../model/ir.ts";
import { type Change, change } from "./change.ts";
import type { ConfigPaths } from "./paths.ts";
import { listed, missingFrom } from "./words.ts";

const endpoints = (cluster: ClusterIR) => cluster.endpoints.map((endpoint) => `${endpoint.host}:${endpoint.port}`);

/** What the gateway checks of an upstream's certificate, weakest last. */
function tlsChanges(was: ClusterIR, now: ClusterIR, paths: ConfigPaths): Change[] {
  const at = [...paths.upstream(now.name), "tls"];
  const name = `upstream ${now.name}`;
  if (was.tls && !now.tls) return [change("security", "loosens", "upstream.plaintext", `${name}: TLS turned off — traffic to ${listed(endpoints(now))} is now plaintext`, paths.upstream(now.name))];
  if (!was.tls && now.tls) return [change("security", "tightens", "upstream.tls", `${name}: now uses TLS`, at)];
  if (!was.tls || !now.tls) return [];
  const out: Change[] = [];
  if (was.tls.caSecret && !now.tls.caSecret) out.push(change("security", "loosens", "upstream.trust", `${name}: server certificate now checked against the system trust store instead of its own CA (any public CA can vouch for it)`, at));
  for (const [field, words] of [
    ["expectedSpiffeIds", "SPIFFE ID"],
    ["expectedSans", "subject alternative name"],
  ] as const) {
    const removed = missingFrom(was.tls[field], now.tls[field]);
    if (removed.length === 0) continue;
    const none = now.tls.expectedSpiffeIds.length + now.tls.expectedSans.length === 0;
    const detail = none ? " — the server's identity is no longer verified, only that a trusted CA signed its certificate" : "";
    out.push(change("security", "loosens", "upstream.verification", `${name}: no longer requires ${words} ${removed.join(", ")}${detail}`, at));
  }
  if (was.tls.clientCertificateSecret && !now.tls.clientCertificateSecret) out.push(change("security", "review", "upstream.client-certificate", `${name}: no longer presents a client certificate`, at));
  if (was.tls.sni !== now.tls.sni) out.push(change("security", "review", "upstream.sni", `${name}: SNI changed from ${was.tls.sni} to ${now.tls.sni}`, at));
  return out;
}

function clusterChanges(before: GatewayIR, after: GatewayIR, paths: ConfigPaths): Change[] {
  const old = new Map(before.clusters.map((cluster) => [cluster.name, cluster]));
  const out: Change[] = [];
  for (const cluster of after.clusters) {
    const was = old.get(cluster.name);
    if (!was) {
      if (!cluster.tls) out.push(change("security", "loosens", "upstream.plaintext-added", `plaintext upstream ${cluster.name} added (${listed(endpoints(cluster))}, no TLS)`, paths.upstream(cluster.name)));
      continue;
    }
    out.push(...tlsChanges(was, cluster, paths));
    const moved = missingFrom(endpoints(cluster), endpoints(was));
    if (moved.length > 0) out.push(change("security", "review", "upstream.endpoints", `upstream ${cluster.name}: now sends traffic to ${moved.join(", ")} (was ${listed(endpoints(was))})`, [...paths.upstream(cluster.name), "endpoints"]));
  }
  return out;
}

const bind = (listener: ListenerIR) => `${listener.address}:${listener.port}`;

function listenerChanges(before: GatewayIR, after: GatewayIR, paths: ConfigPaths): Change[] {
  const old = new Map(before.listeners.map((listener) => [listener.name, listener]));
  const out: Change[] = [];
  for (const listener of after.listeners) {
    const at = paths.listener(listener.name);
    const was = old.get(listener.name);
    const name = `listener ${listener.name}`;
    if (!was) {
      out.push(change("security", "review", "listener.added", `${name} added on ${bind(listener)}${listener.tls ? "" : " without TLS"}`, at));
      continue;
    }
    if (bind(was) !== bind(listener)) out.push(change("security", "review", "listener.bind", `${name}: now listens on ${bind(listener)} (was ${bind(was)})`, at));
    if (was.tls && !listener.tls) out.push(change("security", "loosens", "listener.tls-removed", `${name}: TLS removed — clients now connect in plaintext`, at));
    else if (was.tls && listener.tls) {
      if (listener.tls.minVersion < was.tls.minVersion) out.push(change("security", "loosens", "listener.tls-version", `${name}: minimum TLS version lowered from ${was.tls.minVersion} to ${listener.tls.minVersion}`, [...at, "tls"]));
      const [wasRequired, nowRequired] = [was.tls.clientCertificate?.required === true, listener.tls.clientCertificate?.required === true];
      if (wasRequired && !nowRequired) out.push(change("security", "loosens", "listener.client-certificate", `${name}: client certificates no longer required`, [...at, "tls"]));
    }
  }
  return out;
}

export function upstreamChanges(before: GatewayIR, after: GatewayIR, paths: ConfigPaths): Change[] {
  return [...clusterChanges(before, after, paths), ...listenerChanges(before, after, paths)];
}
