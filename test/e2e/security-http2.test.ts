/**
 * HTTP/2 requests that break the protocol's rules (RFC 9113 §8), written frame by frame over
 * cleartext with prior knowledge (the listener's codec is AUTO, so it takes h2c). Each case states
 * Envoy's exact answer and whether the backend behind it saw the request. Envoy answers a malformed
 * header block by closing the connection without a frame (stream_error_on_invalid_http_messaging is
 * off); a connection closed is a refusal no client can mistake for an answer.
 */
import { describe, expect, it } from "vitest";
import { h2Exchange, type H2Outcome, type H2RequestFrame } from "../support/h2-raw.ts";
import { ADMIN_PATH, PUBLIC_PATH, SECURITY_HOST, securityGatewayForThisFile } from "../support/security-gateway.ts";

const gateway = securityGatewayForThisFile();

type Fields = [string, string][];
const get = (path: string, extra: Fields = []): Fields => [[":method", "GET"], [":scheme", "http"], [":authority", SECURITY_HOST], [":path", path], ...extra];
const post = (path: string, extra: Fields): Fields => [[":method", "POST"], [":scheme", "http"], [":authority", SECURITY_HOST], [":path", path], ...extra];
const only = (headers: Fields): H2RequestFrame[] => [{ headers, endStream: true }];
const CLOSED: H2Outcome = { kind: "closed" };
const ok = (status: number): H2Outcome => ({ kind: "response", status });

interface Case {
  readonly name: string;
  readonly frames: H2RequestFrame[];
  readonly outcome: H2Outcome;
  /** The method and path the backend saw, or null when it must not have seen the request. */
  readonly backend: string | null;
  /** Envoy forwarded the headers before it found the body wrong: the backend may or may not get them in time. */
  readonly backendMaySee?: true;
}

/** A request the backend would mistake for a second one if a body got through unframed. */
const SMUGGLED = `GET ${ADMIN_PATH}/smuggled HTTP/1.1\r\nHost: ${SECURITY_HOST}\r\n\r\n`;

const CASES: Case[] = [
  // Controls: the same helper gets real answers, so a closed connection below is a refusal.
  { name: "a well-formed GET of the public route", frames: only(get(`${PUBLIC_PATH}/h2`)), outcome: ok(200), backend: `GET ${PUBLIC_PATH}/h2` },
  { name: "the admin route without a token", frames: only(get(`${ADMIN_PATH}/h2`)), outcome: ok(401), backend: null },
  { name: "te: trailers, the one TE value HTTP/2 allows", frames: only(get(`${PUBLIC_PATH}/te`, [["te", "trailers"]])), outcome: ok(200), backend: `GET ${PUBLIC_PATH}/te` },
  { name: "a body of exactly its content-length", frames: [{ headers: post(`${PUBLIC_PATH}/body`, [["content-length", "3"]]) }, { data: "abc", endStream: true }], outcome: ok(200), backend: `POST ${PUBLIC_PATH}/body` },
  // Header names: HTTP/2 names are lowercase tokens.
  { name: "an uppercase header name", frames: only(get(`${PUBLIC_PATH}/upper`, [["X-Foo", "1"]])), outcome: CLOSED, backend: null },
  { name: "a space in a header name", frames: only(get(`${PUBLIC_PATH}/space`, [["x foo", "1"]])), outcome: CLOSED, backend: null },
  { name: "a colon inside a header name", frames: only(get(`${PUBLIC_PATH}/colon`, [["x:foo", "1"]])), outcome: CLOSED, backend: null },
  { name: "an underscore in a header name (headers_with_underscores: reject)", frames: only(get(`${PUBLIC_PATH}/underscore`, [["x_portcullis_subject", "root"]])), outcome: { kind: "reset", error: "INTERNAL_ERROR" }, backend: null },
  // Connection-specific headers have no meaning in HTTP/2 (§8.2.2).
  { name: "connection", frames: only(get(`${PUBLIC_PATH}/c`, [["connection", "keep-alive"]])), outcome: CLOSED, backend: null },
  { name: "keep-alive", frames: only(get(`${PUBLIC_PATH}/c`, [["keep-alive", "timeout=5"]])), outcome: CLOSED, backend: null },
  { name: "proxy-connection", frames: only(get(`${PUBLIC_PATH}/c`, [["proxy-connection", "keep-alive"]])), outcome: CLOSED, backend: null },
  { name: "upgrade", frames: only(get(`${PUBLIC_PATH}/c`, [["upgrade", "websocket"]])), outcome: CLOSED, backend: null },
  { name: "transfer-encoding", frames: only(get(`${PUBLIC_PATH}/c`, [["transfer-encoding", "chunked"]])), outcome: CLOSED, backend: null },
  { name: "te other than trailers", frames: only(get(`${PUBLIC_PATH}/c`, [["te", "gzip"]])), outcome: CLOSED, backend: null },
  // Pseudo-headers (§8.3).
  { name: "a :path without its leading slash", frames: only(get("v1/app/admin/h2")), outcome: CLOSED, backend: null },
  { name: "a :path of * on GET", frames: only(get("*")), outcome: CLOSED, backend: null },
  { name: "an empty :path", frames: only(get("")), outcome: CLOSED, backend: null },
  { name: "an absolute URI as :path", frames: only(get(`http://${SECURITY_HOST}${ADMIN_PATH}/h2`)), outcome: CLOSED, backend: null },
  { name: "a pseudo-header after a regular header", frames: only([[":method", "GET"], [":scheme", "http"], ["x-foo", "1"], [":authority", SECURITY_HOST], [":path", `${PUBLIC_PATH}/order`]]), outcome: CLOSED, backend: null },
  { name: "two :path pseudo-headers", frames: only(get(`${PUBLIC_PATH}/dup`, [[":path", `${ADMIN_PATH}/dup`]])), outcome: CLOSED, backend: null },
  { name: "two :authority pseudo-headers", frames: only(get(`${PUBLIC_PATH}/dup`, [[":authority", "evil.test"]])), outcome: CLOSED, backend: null },
  { name: "an unknown pseudo-header", frames: only(get(`${PUBLIC_PATH}/pseudo`, [[":foo", "bar"]])), outcome: CLOSED, backend: null },
  { name: "a response pseudo-header in a request", frames: only(get(`${PUBLIC_PATH}/pseudo`, [[":status", "200"]])), outcome: CLOSED, backend: null },
  { name: "no :path", frames: only([[":method", "GET"], [":scheme", "http"], [":authority", SECURITY_HOST]]), outcome: CLOSED, backend: null },
  { name: "no :method", frames: only([[":scheme", "http"], [":authority", SECURITY_HOST], [":path", `${PUBLIC_PATH}/nomethod`]]), outcome: CLOSED, backend: null },
  { name: "neither :authority nor host", frames: only([[":method", "GET"], [":scheme", "http"], [":path", `${PUBLIC_PATH}/noauthority`]]), outcome: CLOSED, backend: null },
  // Host: routing follows :authority, and the backend is told the host that was routed.
  { name: ":authority of the gateway, host of another", frames: only(get(`${PUBLIC_PATH}/hosts`, [["host", "evil.test"]])), outcome: ok(200), backend: `GET ${PUBLIC_PATH}/hosts` },
  { name: ":authority of another, host of the gateway", frames: only([[":method", "GET"], [":scheme", "http"], [":authority", "evil.test"], [":path", `${PUBLIC_PATH}/hosts2`], ["host", SECURITY_HOST]]), outcome: ok(404), backend: null },
  // Field values cannot carry line breaks or NUL (§8.2.1): no header or request injection into HTTP/1.1 upstreams.
  { name: "CRLF in a header value", frames: only(get(`${PUBLIC_PATH}/crlf`, [["x-foo", "a\r\nx-portcullis-subject: root"]])), outcome: CLOSED, backend: null },
  { name: "LF in a header value", frames: only(get(`${PUBLIC_PATH}/lf`, [["x-foo", "a\nx-portcullis-subject: root"]])), outcome: CLOSED, backend: null },
  { name: "NUL in a header value", frames: only(get(`${PUBLIC_PATH}/nul`, [["x-foo", "a\0b"]])), outcome: CLOSED, backend: null },
  { name: "a request line injected through :path", frames: only(get(`${PUBLIC_PATH}/x HTTP/1.1\r\nHost: ${SECURITY_HOST}\r\n\r\nGET ${ADMIN_PATH}/x`)), outcome: CLOSED, backend: null },
  { name: "a request line injected through :method", frames: only([[":method", `GET ${ADMIN_PATH}/x HTTP/1.1\r\n\r\nGET`], [":scheme", "http"], [":authority", SECURITY_HOST], [":path", `${PUBLIC_PATH}/x`]]), outcome: CLOSED, backend: null },
  // Downgrade smuggling: a body that an HTTP/1.1 upstream could read as a second request.
  { name: "H2.CL: content-length 0 and a DATA frame holding a request", frames: [{ headers: post(`${PUBLIC_PATH}/h2cl`, [["content-length", "0"]]) }, { data: SMUGGLED, endStream: true }], outcome: { kind: "reset", error: "PROTOCOL_ERROR" }, backend: `POST ${PUBLIC_PATH}/h2cl`, backendMaySee: true },
  { name: "H2.TE: transfer-encoding chunked and a DATA frame ending the chunks early", frames: [{ headers: post(`${PUBLIC_PATH}/h2te`, [["transfer-encoding", "chunked"]]) }, { data: `0\r\n\r\n${SMUGGLED}`, endStream: true }], outcome: CLOSED, backend: null },
  // Size: the header block limit (60 KiB) holds across CONTINUATION frames; the codec ends the connection.
  { name: "a 70 KiB header value in HEADERS + CONTINUATION", frames: only(get(`${PUBLIC_PATH}/big`, [["x-pad", "a".repeat(70 * 1024)]])), outcome: { kind: "goaway", error: "COMPRESSION_ERROR" }, backend: null },
  // Path normalization applies to HTTP/2 as to HTTP/1.1.
  { name: "dot segments from the public route into the admin route", frames: only(get(`${PUBLIC_PATH}/../admin/h2`)), outcome: ok(401), backend: null },
  { name: "an encoded slash", frames: only(get(`${PUBLIC_PATH}%2F..%2Fadmin/h2`)), outcome: ok(400), backend: null },
];

/** Each case's first header block carries a tag, so the backend's record tells which case reached it. */
function tagged(frames: H2RequestFrame[], tag: string): H2RequestFrame[] {
  const [first, ...rest] = frames;
  return first && "headers" in first ? [{ ...first, headers: [...first.headers, ["x-case", tag]] }, ...rest] : frames;
}

describe("HTTP/2 shapes through real Envoy", () => {
  it("answers each as stated, and the backend sees only the requests it should", async () => {
    // Concurrently: a refused connection lingers a second in Envoy's delayed close.
    const outcomes = await Promise.all(CASES.map(({ frames }, index) => h2Exchange(gateway().port, tagged(frames, String(index)))));
    const actual = CASES.map(({ name, backend, backendMaySee }, index) => {
      const seen = gateway().backend.received.filter((request) => request.headers["x-case"] === String(index)).map((request) => `${request.method} ${request.path}`);
      return { name, outcome: outcomes[index], backend: seen.length === 0 && backendMaySee ? backend : (seen.join(" + ") || null) };
    });
    expect(actual).toEqual(CASES.map(({ name, outcome, backend }) => ({ name, outcome, backend })));
  });

  it("never lets a smuggled request or its bytes reach the backend", () => {
    expect(gateway().backend.received.filter((request) => request.path.includes("smuggled") || request.body.includes("HTTP/1.1"))).toEqual([]);
  });
});
