import { connect } from "node:net";

/** One HTTP/1.1 response read off a raw socket. */
export interface RawResponse {
  readonly status: number;
  /** Header lines in order, names lowercased; repeated names stay separate. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** Everything a raw exchange produced: each complete response, and whether the peer closed. */
export interface RawExchange {
  readonly responses: RawResponse[];
  /** The peer closed (FIN or reset) before the time limit; false means it kept the connection open. */
  readonly closed: boolean;
  /** Every byte received, latin1, for failure messages. */
  readonly text: string;
}

/** Parses as many complete HTTP/1.1 responses as `text` holds (Content-Length or chunked bodies). */
export function parseResponses(text: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf("\r\n\r\n");
    if (end === -1) return responses;
    const [statusLine = "", ...lines] = rest.slice(0, end).split("\r\n");
    const headers = lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()] as const);
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
    const header = (name: string) => headers.find(([n]) => n === name)?.[1];
    let body = "";
    let after = end + 4;
    if (header("transfer-encoding")?.toLowerCase() === "chunked") {
      for (;;) {
        const sizeEnd = rest.indexOf("\r\n", after);
        if (sizeEnd === -1) return responses;
        const size = Number.parseInt(rest.slice(after, sizeEnd), 16);
        if (rest.length < sizeEnd + 2 + size + 2) return responses;
        body += rest.slice(sizeEnd + 2, sizeEnd + 2 + size);
        after = sizeEnd + 2 + size + 2;
        if (size === 0) break;
      }
    } else {
      const length = Number(header("content-length") ?? 0);
      if (rest.length < after + length) return responses;
      body = rest.slice(after, after + length);
      after += length;
    }
    responses.push({ status, headers, body });
    rest = rest.slice(after);
  }
}

export interface RawExchangeOptions {
  /** Stop once this many complete responses arrived (the connection may stay open). */
  readonly responses?: number;
  /** Upper bound on the wait for the peer to close; a bound, not an expectation. */
  readonly timeoutMs?: number;
}

/**
 * Writes `payload` as is to 127.0.0.1:`port` and reads until the peer closes, the wanted number of
 * responses arrived, or the time limit passed. No half-close: Envoy drops a request whose client
 * already sent FIN, so payloads end with a `Connection: close` request when they want Envoy to close.
 * Raw bytes reach Envoy exactly as written: smuggling shapes, bad header names, bare LFs.
 */
export function rawExchange(port: number, payload: string | Buffer, options: RawExchangeOptions = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses: parseResponses(text), closed, text });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 5_000);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const responses = parseResponses(text);
      if (options.responses !== undefined && responses.length >= options.responses) finish(false);
      // Envoy waits up to a second (delayed_close_timeout) for the client to close after a reply
      // that announced the close; our FIN ends that wait, and Envoy's close still shows.
      else if (responses.at(-1)?.headers.some(([name, value]) => name === "connection" && value.toLowerCase() === "close")) socket.end();
    });
    // A reset is as much a refusal as a close: both end the exchange.
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
    socket.write(payload);
  });
}

/** The statuses of an exchange's responses, for compact assertions. */
export const statusesOf = (exchange: RawExchange) => exchange.responses.map((response) => response.status);
