/**
 * HTTP probes for end-to-end tests through a real Envoy: one GET that reports the status and the
 * echo backend that answered, polling until a condition holds, and a light bounded background load.
 */

export interface ProbeResult {
  /** The HTTP status, or 0 when the request failed (connection refused, reset, timeout). */
  readonly status: number;
  /** The `x-backend` header the test echo backend sets (see backend.ts). */
  readonly backend?: string;
}

export async function get(port: number, path: string): Promise<ProbeResult> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return { status: response.status, ...(response.headers.get("x-backend") ? { backend: response.headers.get("x-backend")! } : {}) };
  } catch {
    return { status: 0 };
  }
}

/** Polls `probe` until `ok` holds; throws with the last value after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < deadline);
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** A light, bounded load (2 workers) on one path; resolves with the failures when stopped. */
export function backgroundLoad(port: number, path: string) {
  let running = true;
  const failures: number[] = [];
  let sent = 0;
  const worker = async () => {
    while (running) {
      const { status } = await get(port, path);
      sent++;
      if (status !== 200) failures.push(status);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const workers = [worker(), worker()];
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return { sent, failures };
    },
  };
}
