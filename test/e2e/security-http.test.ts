/**
 * HTTP/1.1 attacks through real Envoy, written byte for byte on raw sockets: path tricks that try
 * to climb from the public route into the admin route, host tricks, odd request lines, and spoofed
 * identity, forwarding and override headers (header abuse and smuggling: security-http-parsing;
 * HTTP/2: security-http2). Each case states Envoy's exact answer and what the backend behind it
 * received (method, host and path), or that it received nothing. The route semantics asserted: paths are case-sensitive and a route prefix ends
 * at a `/` (so /admin;x=y is no admin path); dot segments, `\`, `//` and encoded unreserved
 * characters are normalized before routing; encoded `/` and `\` are refused.
 */
import { describe, expect, it } from "vitest";
import { h2Exchange } from "../support/h2-raw.ts";
import { CLOSE, expectRawCases, HOST, rawGet, rawOutcome, seenAt, type RawCase } from "../support/raw-cases.ts";
import { ADMIN_PATH, PUBLIC_PATH, SECURITY_HOST, securityGatewayForThisFile } from "../support/security-gateway.ts";

const gateway = securityGatewayForThisFile();

describe("path tricks: the public route never leads into the admin route", () => {
  // [target, Envoy's status, the path the backend received or null]: no token is sent.
  const CASES: readonly (readonly [string, number, string | null])[] = [
    [`${PUBLIC_PATH}/x`, 200, `${PUBLIC_PATH}/x`],
    [`${ADMIN_PATH}/x`, 401, null],
    [`${PUBLIC_PATH}/../admin/x`, 401, null],
    [`${PUBLIC_PATH}/./../admin/x`, 401, null],
    [`${PUBLIC_PATH}/%2e%2e/admin/x`, 401, null],
    [`${PUBLIC_PATH}/.%2E/admin/x`, 401, null],
    [`${PUBLIC_PATH}%2F..%2Fadmin/x`, 400, null],
    [`${PUBLIC_PATH}%2f..%2fadmin/x`, 400, null],
    [`${PUBLIC_PATH}/..%2f..;/admin`, 400, null],
    [`${PUBLIC_PATH}%5C..%5Cadmin/x`, 400, null],
    // A raw backslash is a slash to Envoy's normalizer, as to browsers.
    [`${PUBLIC_PATH}\\..\\admin/x`, 401, null],
    ["/v1/app//admin/x", 401, null],
    ["//v1/app/public//x", 200, `${PUBLIC_PATH}/x`],
    // `;` starts no separator for route prefixes: /admin;x=y is not under /admin, so no route takes it.
    [`${ADMIN_PATH};x=y`, 404, null],
    [`${ADMIN_PATH};x=y/users`, 404, null],
    // Tomcat-style path parameters on a dot segment are removed with the segment.
    [`${PUBLIC_PATH};/../admin/x`, 401, null],
    [`${PUBLIC_PATH}/..;/admin/x`, 401, null],
    [`${PUBLIC_PATH}/..;x=1/admin/x`, 401, null],
    // Paths are case-sensitive: /ADMIN is not the admin route and reaches no backend.
    ["/v1/app/ADMIN/x", 404, null],
    ["/v1/app/%41DMIN/x", 404, null],
    // Percent-encoded unreserved letters are decoded before routing.
    ["/v1/app/%61dmin/x", 401, null],
    [`${PUBLIC_PATH}/../%61dmin/x`, 401, null],
    ["/v1/app/%70ublic/x", 200, `${PUBLIC_PATH}/x`],
    // One decoding only: %25 stays encoded, so the backend gets no dot segment (a backend that decodes twice is on its own).
    [`${PUBLIC_PATH}/%252e%252e/admin/x`, 200, `${PUBLIC_PATH}/%252e%252e/admin/x`],
    // A query is not a path: it is not normalized and cannot change the route.
    [`${PUBLIC_PATH}?/../admin`, 200, `${PUBLIC_PATH}?/../admin`],
    [`${PUBLIC_PATH}#/../admin`, 400, null],
    [`${PUBLIC_PATH}%00/../admin`, 400, null],
    ["v1/app/admin/x", 400, null],
    ["*", 400, null],
  ];

  it.each(CASES)("GET %s → %i, backend got %s", async (target, status, backendPath) => {
    expect(await rawOutcome(gateway(), rawGet(target))).toEqual({ statuses: [status], closed: true, backend: backendPath ? seenAt(backendPath) : [] });
  });

  it("forwards the normalized path, the one the access rules ran on", async () => {
    const token = `Authorization: Bearer ${gateway().adminToken()}\r\n`;
    for (const target of [`${PUBLIC_PATH}/../admin/x`, `${PUBLIC_PATH}\\..\\admin/x`, "/v1/app//admin/x", `${PUBLIC_PATH}/..;/admin/x`, "/v1/app/%61dmin/x"]) {
      expect({ target, ...(await rawOutcome(gateway(), rawGet(target, token))) }).toEqual({ target, statuses: [200], closed: true, backend: seenAt(`${ADMIN_PATH}/x`) });
    }
  });

  // An encoded dot segment with a path parameter (%2e%2e;) is decoded to `..;` but not removed as a
  // dot segment (a literal `..;` is). Tomcat, Jetty and Spring drop `;` parameters and then resolve
  // `..`, so it would serve /v1/app/admin/x on the public route; the gateway's guard route refuses it.
  it("%2e%2e; (an encoded dot segment with a path parameter) never reaches the backend on the public route", async () => {
    for (const target of [`${PUBLIC_PATH}/%2e%2e;/admin/x`, `${PUBLIC_PATH}/.%2e;/admin/x`, `${PUBLIC_PATH}/%2E%2E;v=1/admin/x`]) {
      const { statuses, backend } = await rawOutcome(gateway(), rawGet(target));
      expect({ target, denied: [400, 401].includes(statuses[0] ?? 0), backend }).toEqual({ target, denied: true, backend: [] });
    }
    const before = gateway().backend.received.length;
    const overHttp2 = await h2Exchange(gateway().port, [{ headers: [[":method", "GET"], [":scheme", "http"], [":authority", SECURITY_HOST], [":path", `${PUBLIC_PATH}/%2e%2e;/admin/h2`]], endStream: true }]);
    expect({ denied: overHttp2.kind !== "response" || [400, 401].includes(overHttp2.status), backend: gateway().backend.received.slice(before) }).toEqual({ denied: true, backend: [] });
  });
});

describe("host tricks", () => {
  const CASES: readonly RawCase[] = [
    ["two Host headers, the second unknown", `GET ${PUBLIC_PATH}/h HTTP/1.1\r\nHost: ${SECURITY_HOST}\r\nHost: evil.test\r\n${CLOSE}`, [404], []],
    ["two identical Host headers", `GET ${PUBLIC_PATH}/h HTTP/1.1\r\n${HOST}${HOST}${CLOSE}`, [404], []],
    ["absolute-form URI of another host, Host of the gateway", `GET http://other.host${ADMIN_PATH}/h HTTP/1.1\r\n${HOST}${CLOSE}`, [404], []],
    ["absolute-form URI of another host, public path", `GET http://other.host${PUBLIC_PATH}/h HTTP/1.1\r\n${HOST}${CLOSE}`, [404], []],
    // The URI's authority wins over Host (RFC 9112 §3.2.2), and the backend is told the host that was routed.
    ["absolute-form URI of the gateway, Host of another", `GET http://${SECURITY_HOST}${PUBLIC_PATH}/h HTTP/1.1\r\nHost: evil.test\r\n${CLOSE}`, [200], seenAt(`${PUBLIC_PATH}/h`)],
    ["absolute-form URI of the admin route, Host of another", `GET http://${SECURITY_HOST}${ADMIN_PATH}/h HTTP/1.1\r\nHost: evil.test\r\n${CLOSE}`, [401], []],
    ["absolute-form URI with dot segments", `GET http://${SECURITY_HOST}${PUBLIC_PATH}/../admin/h HTTP/1.1\r\n${HOST}${CLOSE}`, [401], []],
    ["trailing dot", `GET ${PUBLIC_PATH}/h HTTP/1.1\r\nHost: ${SECURITY_HOST}.\r\n${CLOSE}`, [200], seenAt(`${PUBLIC_PATH}/h`)],
    ["trailing dot, admin route", `GET ${ADMIN_PATH}/h HTTP/1.1\r\nHost: ${SECURITY_HOST}.\r\n${CLOSE}`, [401], []],
    ["a port", `GET ${PUBLIC_PATH}/h HTTP/1.1\r\nHost: ${SECURITY_HOST}:8443\r\n${CLOSE}`, [200], seenAt(`${PUBLIC_PATH}/h`)],
    ["uppercase (host names are case-insensitive)", `GET ${PUBLIC_PATH}/h HTTP/1.1\r\nHost: API.TEST\r\n${CLOSE}`, [200], seenAt(`${PUBLIC_PATH}/h`, "GET", "API.TEST")],
    ["an unknown host", `GET ${PUBLIC_PATH}/h HTTP/1.1\r\nHost: evil.test\r\n${CLOSE}`, [404], []],
    ["userinfo before the host", `GET ${PUBLIC_PATH}/h HTTP/1.1\r\nHost: evil@${SECURITY_HOST}\r\n${CLOSE}`, [404], []],
    ["no Host at all", `GET ${PUBLIC_PATH}/h HTTP/1.1\r\n${CLOSE}`, [400], []],
    ["HTTP/1.0 without Host (Envoy takes no HTTP/1.0)", `GET ${PUBLIC_PATH}/h HTTP/1.0\r\n\r\n`, [426], []],
  ];

  it("answers each as stated", () => expectRawCases(gateway(), CASES));
});

describe("request lines", () => {
  const CASES: readonly RawCase[] = [
    ["HTTP/0.9 (no version)", `GET ${PUBLIC_PATH}/r\r\n\r\n`, [426], []],
    ["HTTP/2.0 on an HTTP/1 request line", `GET ${PUBLIC_PATH}/r HTTP/2.0\r\n${HOST}${CLOSE}`, [426], []],
    ["a lowercase method", `get ${PUBLIC_PATH}/r HTTP/1.1\r\n${HOST}${CLOSE}`, [400], []],
    ["a space inside the target", `GET ${PUBLIC_PATH}/r x HTTP/1.1\r\n${HOST}${CLOSE}`, [400], []],
    ["CONNECT: no tunnels", `CONNECT ${SECURITY_HOST}:80 HTTP/1.1\r\n${HOST}${CLOSE}`, [404], []],
    ["TRACE: not a method a route takes", `TRACE ${PUBLIC_PATH}/r HTTP/1.1\r\n${HOST}${CLOSE}`, [405], []],
    ["a WebSocket upgrade: routes take no upgrades", `GET ${PUBLIC_PATH}/ws HTTP/1.1\r\n${HOST}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`, [403], []],
    ["an h2c upgrade is ignored: served as HTTP/1.1", `GET ${PUBLIC_PATH}/h2c HTTP/1.1\r\n${HOST}Connection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n`, [200], seenAt(`${PUBLIC_PATH}/h2c`)],
  ];

  it("answers each as stated", () => expectRawCases(gateway(), CASES));
});

describe("spoofed identity, forwarding and override headers", () => {
  /** Headers only the gateway, or a proxy it trusts (none here), may set: a client's copy never reaches the backend. */
  const REMOVED: Record<string, string> = {
    "X-Portcullis-Identity": "staff",
    "X-Portcullis-Subject": "root",
    "X-PORTCULLIS-ROLES": '["admin"]',
    "x-portcullis-scopes": "admin",
    "X-Portcullis-Groups": '["root"]',
    "X-Portcullis-Consumer": "acme",
    "X-Portcullis-Spiffe-Id": "spiffe://evil.test/admin",
    "X-Portcullis-Team": "platform",
    "X-Real-IP": "10.6.6.6",
    "True-Client-IP": "10.6.6.6",
    Forwarded: "for=10.6.6.6;host=evil.test;proto=https",
    "X-Forwarded-Host": "evil.test",
    "X-Forwarded-Port": "8443",
    "X-Original-URL": `${ADMIN_PATH}/users`,
    "X-Rewrite-URL": `${ADMIN_PATH}/users`,
    "X-HTTP-Method-Override": "DELETE",
    "X-HTTP-Method": "DELETE",
    "X-Method-Override": "DELETE",
    "X-Forwarded-Client-Cert": "By=spiffe://evil.test/gw;URI=spiffe://evil.test/admin",
    "X-Envoy-Internal": "true",
    "X-Envoy-Original-Path": `${ADMIN_PATH}/users`,
  };
  /** Headers Envoy sets itself at the edge: the backend gets Envoy's value, never the client's. */
  const REPLACED: Record<string, string> = { "X-Forwarded-Proto": "https", "X-Request-Id": "chosen-by-the-client", "X-Envoy-External-Address": "10.6.6.6" };
  const lines = (headers: Record<string, string>) => Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  const lastReceived = () => gateway().backend.received.at(-1)!.headers;

  it("a public request: none of the client's copies reach the backend, and Envoy's own values replace the rest", async () => {
    expect(await rawOutcome(gateway(), rawGet(`${PUBLIC_PATH}/spoof`, lines(REMOVED) + lines(REPLACED)))).toEqual({ statuses: [200], closed: true, backend: seenAt(`${PUBLIC_PATH}/spoof`) });
    const headers = lastReceived();
    expect(Object.keys(REMOVED).filter((name) => headers[name.toLowerCase()] !== undefined)).toEqual([]);
    expect({ proto: headers["x-forwarded-proto"], external: headers["x-envoy-external-address"], requestIdIsTheClients: headers["x-request-id"] === REPLACED["X-Request-Id"] }).toEqual({
      proto: "http",
      external: "127.0.0.1",
      requestIdIsTheClients: false,
    });
  });

  it("two copies of an identity header are both removed", async () => {
    await rawOutcome(gateway(), rawGet(`${PUBLIC_PATH}/spoof-twice`, "X-Portcullis-Subject: root\r\nx-portcullis-subject: admin\r\n"));
    expect(lastReceived()["x-portcullis-subject"]).toBeUndefined();
  });

  it("an admitted caller's identity headers are the gateway's, whatever the client sent", async () => {
    const sent = `Authorization: Bearer ${gateway().adminToken()}\r\n${lines(REMOVED)}`;
    expect(await rawOutcome(gateway(), rawGet(`${ADMIN_PATH}/spoof`, sent))).toEqual({ statuses: [200], closed: true, backend: seenAt(`${ADMIN_PATH}/spoof`) });
    const identity = Object.fromEntries(Object.entries(lastReceived()).filter(([name]) => name.startsWith("x-portcullis-")));
    expect(identity).toEqual({ "x-portcullis-identity": "staff", "x-portcullis-subject": "alice", "x-portcullis-roles": '["admin"]' });
  });

  it("X-Forwarded-For holds only the hop Envoy saw (a client's entries are dropped with no trusted proxy), and the external address is the peer", async () => {
    await rawOutcome(gateway(), rawGet(`${PUBLIC_PATH}/xff-none`));
    // For a loopback peer Envoy appends its own local address rather than 127.0.0.1: measure it.
    const hop = String(lastReceived()["x-forwarded-for"]);
    await rawOutcome(gateway(), rawGet(`${PUBLIC_PATH}/xff`, "X-Forwarded-For: 10.6.6.6, 10.7.7.7\r\n"));
    expect({ xff: lastReceived()["x-forwarded-for"], external: lastReceived()["x-envoy-external-address"] }).toEqual({ xff: hop, external: "127.0.0.1" });
  });

  // Beyond the list: headers from which common frameworks take the client address
  // (request-ip and Rails read X-Client-IP, X-Cluster-Client-IP; CDN headers), the scheme, or the
  // host and prefix of the links they build (Spring's X-Forwarded-Prefix, Rack's
  // X-Forwarded-Scheme, X-Host, X-Original-Host).
  it("other client-address, scheme and host headers frameworks trust never reach the backend", async () => {
    const others: Record<string, string> = {
      "X-Client-IP": "10.6.6.6",
      "X-Cluster-Client-IP": "10.6.6.6",
      "CF-Connecting-IP": "10.6.6.6",
      "Fastly-Client-IP": "10.6.6.6",
      "X-Forwarded-Server": "evil.test",
      "X-Forwarded-Scheme": "https",
      "X-Forwarded-Prefix": "/admin",
      "X-Host": "evil.test",
      "X-Original-Host": "evil.test",
    };
    await rawOutcome(gateway(), rawGet(`${PUBLIC_PATH}/spoof-others`, lines(others)));
    const headers = lastReceived();
    expect(Object.keys(others).filter((name) => headers[name.toLowerCase()] !== undefined)).toEqual([]);
  });
});
