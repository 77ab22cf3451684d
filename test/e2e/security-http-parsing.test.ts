/**
 * How real Envoy parses what HTTP/1.1 clients may not send, written byte for byte on raw sockets:
 * header names and sizes it must refuse, and request smuggling shapes — framing that two parsers
 * could read differently, so that bytes one takes for a body the other takes for a second request.
 * Envoy re-frames every request it forwards, so the backend can only ever receive requests Envoy
 * itself parsed; each smuggling case sends a second request for the admin route (no token) after
 * its first, and asserts Envoy's statuses and that the backend received at most the first one.
 */
import { describe, expect, it } from "vitest";
import { CLOSE, expectRawCases, HOST, rawGet, seenAt, type RawCase } from "../support/raw-cases.ts";
import { ADMIN_PATH, PUBLIC_PATH, securityGatewayForThisFile } from "../support/security-gateway.ts";

const gateway = securityGatewayForThisFile();

/** `count` distinct headers, one per line. */
const manyHeaders = (count: number) => Array.from({ length: count }, (_, index) => `X-Header-${index}: ${index}\r\n`).join("");

describe("header names and sizes", () => {
  const page = `${PUBLIC_PATH}/headers`;
  const CASES: readonly RawCase[] = [
    ["an underscore in a name (x_user and x-user may merge upstream)", rawGet(page, "X_Portcullis_Subject: root\r\n"), [400], []],
    ["a space in a name", rawGet(page, "X Foo: 1\r\n"), [400], []],
    ["a space before the colon", rawGet(page, "X-Foo : 1\r\n"), [400], []],
    ["a ( in a name", rawGet(page, "X-Foo(: 1\r\n"), [400], []],
    ["an @ in a name", rawGet(page, "X-F@o: 1\r\n"), [400], []],
    ["a control character in a name", rawGet(page, "X-Foo\x01: 1\r\n"), [400], []],
    ["a non-ASCII name", rawGet(page, "X-F\xc3\xb6: 1\r\n"), [400], []],
    ["an empty name", rawGet(page, ": 1\r\n"), [400], []],
    ["a NUL in a value", rawGet(page, "X-Foo: a\x00b\r\n"), [400], []],
    ["a DEL in a value", rawGet(page, "X-Foo: a\x7fb\r\n"), [400], []],
    ["a first header line that starts with a space", `GET ${page} HTTP/1.1\r\n ${HOST}${CLOSE}`, [400], []],
    // Envoy's limit is 100 headers: 97 plus Host and Connection pass, 150 do not.
    ["99 headers", rawGet(page, manyHeaders(97)), [200], seenAt(page)],
    ["152 headers", rawGet(page, manyHeaders(150)), [431], []],
    ["a 70 KiB header (limit 60 KiB)", rawGet(page, `X-Padding: ${"a".repeat(70 * 1024)}\r\n`), [431], []],
    ["a 70 KiB request target", rawGet(`${page}/${"a".repeat(70 * 1024)}`), [431], []],
  ];

  it("refuses each as stated, before the backend", () => expectRawCases(gateway(), CASES));

  it("a line break hidden in a value never becomes a header of its own", async () => {
    // obs-fold is replaced by a space (RFC 9112 §5.2), a lone CR is dropped: both stay inside X-Foo.
    for (const [folded, value] of [["X-Foo: a\r\n X-Portcullis-Subject: root\r\n", "a X-Portcullis-Subject: root"], ["X-Foo: a\rX-Portcullis-Subject: root\r\n", "aX-Portcullis-Subject: root"]] as const) {
      await expectRawCases(gateway(), [["folded", rawGet(`${PUBLIC_PATH}/fold`, folded), [200], seenAt(`${PUBLIC_PATH}/fold`)]]);
      const headers = gateway().backend.received.at(-1)!.headers;
      expect({ foo: headers["x-foo"], subject: headers["x-portcullis-subject"] }).toEqual({ foo: value, subject: undefined });
    }
  });
});

describe("request smuggling shapes", () => {
  /** The request hidden after the first one: the admin route, without a token. */
  const SMUGGLED = `GET ${ADMIN_PATH}/smuggled HTTP/1.1\r\n${HOST}${CLOSE}`;
  const target = `${PUBLIC_PATH}/smuggle`;
  /** A POST framed by `framing` (header lines), with `body`, followed by the smuggled request. */
  const post = (framing: string, body: string) => `POST ${target} HTTP/1.1\r\n${HOST}${framing}\r\n${body}${SMUGGLED}`;
  const firstOnly = seenAt(target, "POST");

  const CASES: readonly RawCase[] = [
    ["Content-Length and Transfer-Encoding together", post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), [400], []],
    ["Transfer-Encoding and Content-Length together", post("Transfer-Encoding: chunked\r\nContent-Length: 6\r\n", "0\r\n\r\n"), [400], []],
    ["Transfer-Encoding: chunked, identity", post("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n"), [501], []],
    ["Transfer-Encoding: identity, chunked", post("Transfer-Encoding: identity, chunked\r\n", "0\r\n\r\n"), [501], []],
    ["two Transfer-Encoding headers", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", "0\r\n\r\n"), [501], []],
    ['Transfer-Encoding: "chunked" (quoted)', post('Transfer-Encoding: "chunked"\r\n', "0\r\n\r\n"), [501], []],
    ["Transfer-Encoding: xchunked", post("Transfer-Encoding: xchunked\r\n", "0\r\n\r\n"), [501], []],
    ["Transfer-Encoding: xchunked beside Content-Length", post("Transfer-Encoding: xchunked\r\nContent-Length: 4\r\n", "0\r\n\r\n"), [400], []],
    ["Transfer-Encoding : chunked (space before the colon)", post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n"), [400], []],
    ["Transfer-Encoding after a vertical tab", post("Transfer-Encoding:\x0bchunked\r\n", "0\r\n\r\n"), [400], []],
    ["Transfer-Encoding in obs-fold beside Content-Length", post("Transfer-Encoding:\r\n chunked\r\nContent-Length: 4\r\n", "0\r\n\r\n"), [400], []],
    // Variants Envoy reads as chunked, as RFC 9112 lets it (folded, tab, trailing space, any case):
    // the second request is then Envoy's to answer, and it refuses it without a token.
    ["Transfer-Encoding in obs-fold alone", post("Transfer-Encoding:\r\n chunked\r\n", "0\r\n\r\n"), [200, 401], firstOnly],
    ["Transfer-Encoding:<tab>chunked", post("Transfer-Encoding:\tchunked\r\n", "0\r\n\r\n"), [200, 401], firstOnly],
    ["Transfer-Encoding: chunked<space>", post("Transfer-Encoding: chunked \r\n", "0\r\n\r\n"), [200, 401], firstOnly],
    ["Transfer-Encoding: CHUNKED", post("Transfer-Encoding: CHUNKED\r\n", "0\r\n\r\n"), [200, 401], firstOnly],
    ["two Content-Length headers that differ", post("Content-Length: 4\r\nContent-Length: 40\r\n", "abcd"), [400], []],
    ["two equal Content-Length headers", post("Content-Length: 4\r\nContent-Length: 4\r\n", "abcd"), [400], []],
    ["a Content-Length list", post("Content-Length: 4, 40\r\n", "abcd"), [400], []],
    ["a negative Content-Length", post("Content-Length: -1\r\n", "abcd"), [400], []],
    ["a Content-Length with garbage", post("Content-Length: 4x\r\n", "abcd"), [400], []],
    ["a signed Content-Length", post("Content-Length: +4\r\n", "abcd"), [400], []],
    ["a hexadecimal Content-Length", post("Content-Length: 0x4\r\n", "abcd"), [400], []],
    ["a Content-Length beyond 64 bits", post("Content-Length: 99999999999999999999999\r\n", "abcd"), [400], []],
    ["a chunk size in hex notation", post("Transfer-Encoding: chunked\r\n", "0x2\r\nxx\r\n0\r\n\r\n"), [400], []],
    ["a chunk size beyond 64 bits", post("Transfer-Encoding: chunked\r\n", "ffffffffffffffff1\r\nxx\r\n0\r\n\r\n"), [400], []],
    ["a negative chunk size", post("Transfer-Encoding: chunked\r\n", "-1\r\nxx\r\n0\r\n\r\n"), [400], []],
    ["a chunk extension ending in a bare LF", post("Transfer-Encoding: chunked\r\n", "2;\nxx\r\n0\r\n\r\n"), [400], []],
    // Bare LF ends lines for Envoy (RFC 9112 §2.2 allows it); it forwards with CRLF, so the backend
    // cannot read the lines otherwise. A request that hides behind an LF is Envoy's to answer.
    ["a request with bare LF line ends", `GET ${PUBLIC_PATH}/lf HTTP/1.1\n${HOST.replace("\r\n", "\n")}Connection: close\n\n`, [200], seenAt(`${PUBLIC_PATH}/lf`)],
    ["a second request after headers ended by LF LF", `GET ${PUBLIC_PATH}/lf-lf HTTP/1.1\r\n${HOST}X-Foo: a\n\n${SMUGGLED}`, [200, 401], seenAt(`${PUBLIC_PATH}/lf-lf`)],
    ["a plainly pipelined second request", `GET ${PUBLIC_PATH}/pipelined HTTP/1.1\r\n${HOST}\r\n${SMUGGLED}`, [200, 401], seenAt(`${PUBLIC_PATH}/pipelined`)],
  ];

  it("refuses each or answers both requests itself, as stated", () => expectRawCases(gateway(), CASES));

  it("the backend never received a smuggled request or its bytes", () => {
    expect(gateway().backend.received.filter((request) => request.path.includes("smuggled") || request.body.includes("HTTP/1.1"))).toEqual([]);
  });
});
