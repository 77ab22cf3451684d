import { expect } from "vitest";
import { rawExchange, statusesOf } from "./raw-http.ts";
import { SECURITY_HOST, type SecurityGateway } from "./security-gateway.ts";

/** The gateway's Host header line. */
export const HOST = `Host: ${SECURITY_HOST}\r\n`;
/** The last header line and the blank line: Envoy closes once it has answered. */
export const CLOSE = "Connection: close\r\n\r\n";
/** A raw GET of `target` with the gateway's Host and `headers` (whole lines), asking Envoy to close afterwards. */
export const rawGet = (target: string, headers = "") => `GET ${target} HTTP/1.1\r\n${HOST}${headers}${CLOSE}`;

/** What one raw exchange did: Envoy's statuses in order, whether it closed, and every request the backend received meanwhile. */
export interface RawOutcome {
  readonly statuses: number[];
  readonly closed: boolean;
  /** `METHOD host/path` of each request the backend received. */
  readonly backend: string[];
}

/** Sends `payload` and reports the outcome. Cases run one after another, so the backend's new records are this payload's. */
export async function rawOutcome(gateway: SecurityGateway, payload: string): Promise<RawOutcome> {
  const before = gateway.backend.received.length;
  const exchange = await rawExchange(gateway.port, payload);
  const backend = gateway.backend.received.slice(before).map((request) => `${request.method} ${String(request.headers.host)}${request.path}`);
  return { statuses: statusesOf(exchange), closed: exchange.closed, backend };
}

/** How the backend's record of a request reads: `GET api.test/v1/app/public/x`. */
export const seenAt = (path: string, method = "GET", host = SECURITY_HOST) => [`${method} ${host}${path}`];

/** [description, raw request, Envoy's statuses, what the backend received] */
export type RawCase = readonly [string, string, number[], string[]];

/**
 * Sends every case and compares all outcomes at once, so one failure shows every case's answer.
 * Every exchange must end with Envoy closing the connection: each payload's last request asks for
 * it, and Envoy closes after a refusal; an open connection means Envoy still waits for bytes.
 */
export async function expectRawCases(gateway: SecurityGateway, cases: readonly RawCase[]): Promise<void> {
  const actual = [];
  for (const [name, payload] of cases) {
    const { statuses, closed, backend } = await rawOutcome(gateway, payload);
    actual.push({ name, statuses, backend, closed });
  }
  expect(actual).toEqual(cases.map(([name, , statuses, backend]) => ({ name, statuses, backend, closed: true })));
}
