/**
 * Hot reload: follows every file a served config depends on — the config itself, the local
 * modules it imports and the files it names (certificates, keys, JWKS and API-key files), as its
 * last compile reported them — and recompiles (debounced) when one of them changes. Writes to any
 * other file do not recompile. Editors and secret rotation replace files by rename, so the
 * directories are watched and their events filtered by name; a followed symlink is followed to
 * its target too, so swapping a mounted secret's link is seen. Compiles of one config never
 * overlap; a change during a compile triggers one more.
 */
import { realpathSync, watch, type FSWatcher } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { CompileOutcome } from "./gateway-registry.ts";
import type { Logger } from "./log.ts";

/** A compile of one config and, when known, every file it depended on (src/compile.ts reports them). */
export type WatchedOutcome = CompileOutcome & { readonly files?: readonly string[] };

export type CompileFile = (file: string) => Promise<WatchedOutcome>;

export interface ConfigWatcherOptions {
  /** The first compile of each served config: it says which files to follow until the next. */
  readonly initial: readonly WatchedOutcome[];
  readonly compile: CompileFile;
  readonly apply: (outcome: CompileOutcome) => void;
  readonly log: Logger;
}

export interface ConfigWatcher {
  close(): void;
}

interface Followed {
  readonly file: string;
  /** Absolute paths whose change recompiles this config. */
  paths: Set<string>;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  again: boolean;
}

/** A path and, when it is a symlink, the file it points to now. */
function withTarget(path: string): string[] {
  try {
    const target = realpathSync(path);
    return target === path ? [path] : [path, target];
  } catch {
    return [path]; // not there (yet): its creation is a change too
  }
}

/** What a compile says to follow: everything it read, plus (after a failed compile) what was followed before, so fixing any of it reloads. */
function pathsOf(outcome: WatchedOutcome, previous: ReadonlySet<string>): Set<string> {
  const failed = !outcome.snapshot || outcome.diagnostics.some((d) => d.severity === "error");
  const named = [outcome.file, ...(outcome.files ?? [])].map((path) => resolve(path)).flatMap(withTarget);
  return new Set([...(failed ? previous : []), ...named]);
}

export function watchConfigs(options: ConfigWatcherOptions): ConfigWatcher {
  // Editors write a file in several steps within a few ms; one recompile after they settle. Kept
  // short because it adds to every edit's latency; a compile that still caught a half-written file
  // fails, keeps the last good snapshot, and the write that completes it triggers one more.
  const debounceMs = 20;
  const configs = options.initial.map((outcome): Followed => ({
    file: resolve(outcome.file),
    paths: pathsOf(outcome, new Set()),
    timer: undefined,
    running: false,
    again: false,
  }));
  const watchers = new Map<string, FSWatcher>();

  const recompile = async (config: Followed, changed: string): Promise<void> => {
    if (config.running) {
      config.again = true;
      return;
    }
    config.running = true;
    try {
      do {
        config.again = false;
        options.log.info("config changed; recompiling", { file: config.file, changed });
        const outcome = await options.compile(config.file);
        config.paths = pathsOf(outcome, config.paths);
        follow();
        options.apply(outcome);
      } while (config.again);
    } catch (error) {
      options.log.error("recompile failed unexpectedly; still serving the last good snapshot", { file: config.file, error: (error as Error).message });
    } finally {
      config.running = false;
    }
  };

  const schedule = (config: Followed, changed: string) => {
    clearTimeout(config.timer);
    config.timer = setTimeout(() => void recompile(config, changed), debounceMs);
  };

  const changedIn = (dir: string, name: string | null) => {
    const changed = name === null ? undefined : join(dir, name);
    for (const config of configs) {
      if (changed !== undefined ? config.paths.has(changed) : [...config.paths].some((path) => dirname(path) === dir)) schedule(config, changed ?? dir);
    }
  };

  /** Watches exactly the directories that hold a followed path. */
  const follow = () => {
    const dirs = new Set(configs.flatMap((config) => [...config.paths].map((path) => dirname(path))));
    for (const [dir, watcher] of watchers) {
      if (dirs.has(dir)) continue;
      watcher.close();
      watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, (_event, name) => changedIn(dir, name));
        // A directory removed under us (an old secret version): the recompile it causes follows the new one.
        watcher.on("error", () => {
          watcher.close();
          watchers.delete(dir);
        });
        watchers.set(dir, watcher);
      } catch (error) {
        options.log.warn("cannot watch a directory the config depends on; changes there are not picked up", { dir, error: (error as Error).message });
      }
    }
  };
  follow();

  return {
    close: () => {
      for (const watcher of watchers.values()) watcher.close();
      for (const config of configs) clearTimeout(config.timer);
    },
  };
}
