import type { Worker } from "node:worker_threads";
import type { SourceLocation } from "../diagnostics.ts";
import { placeIn } from "./evaluation-findings.ts";

/** How long to wait for a busy worker to pause; an idle one (waiting on I/O) never does. */
const PAUSE_WAIT_MS = 1000;

interface PausedFrame {
  readonly location: { readonly scriptId: string; readonly lineNumber: number; readonly columnNumber?: number };
}

/**
 * Where a config that ran out of time is running: pauses the worker through the inspector (which
 * interrupts even an endless loop) and returns the innermost frame in one of the config's own
 * modules. Leaves the worker resumed and detached, so terminate() works; undefined when the
 * worker is idle, runs elsewhere, or Node has no inspector.
 */
export async function runningLine(worker: Worker, modules: ReadonlySet<string>): Promise<SourceLocation | undefined> {
  let inspector: typeof import("node:inspector/promises");
  try {
    inspector = await import("node:inspector/promises");
  } catch {
    return undefined;
  }
  const session = new inspector.Session();
  session.connect();
  const scripts = new Map<string, string>();
  let sessionId: string | undefined;
  const send = (id: number, method: string) =>
    session.post("NodeWorker.sendMessageToWorker", { sessionId: sessionId!, message: JSON.stringify({ id, method }) });
  try {
    const attached = new Promise<string>((resolve) => {
      session.on("NodeWorker.attachedToWorker", ({ params }) => {
        if (params.workerInfo.workerId === String(worker.threadId)) resolve(params.sessionId);
      });
    });
    const paused = new Promise<readonly PausedFrame[]>((resolve) => {
      session.on("NodeWorker.receivedMessageFromWorker", ({ params }) => {
        const event = JSON.parse(params.message) as { method?: string; params?: { scriptId: string; url: string; callFrames: PausedFrame[] } };
        if (event.method === "Debugger.scriptParsed") scripts.set(event.params!.scriptId, event.params!.url);
        if (event.method === "Debugger.paused") resolve(event.params!.callFrames);
      });
    });
    const within = <T>(promise: Promise<T>) =>
      Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), PAUSE_WAIT_MS).unref())]);
    await session.post("NodeWorker.enable", { waitForDebuggerOnStart: false });
    sessionId = await within(attached);
    if (!sessionId) return undefined;
    await send(1, "Debugger.enable");
    await send(2, "Debugger.pause");
    const frames = (await within(paused)) ?? [];
    for (const { location } of frames) {
      const place = placeIn(modules, scripts.get(location.scriptId) ?? "", location.lineNumber + 1, (location.columnNumber ?? 0) + 1);
      if (place) return place;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    // A paused worker cannot be terminated: resume it (disable) and let go before the caller does.
    if (sessionId) {
      await send(3, "Debugger.disable").catch(() => {});
      await session.post("NodeWorker.detach", { sessionId }).catch(() => {});
    }
    session.disconnect();
  }
}
