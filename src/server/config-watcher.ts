/**
 * Hot reload: watches the directories of the served configs and recompiles (debounced) when a
 * config file or a file next to it changes. Editors often save by rename, so the directory is
 * watched rather than the file. Compiles of one file never overlap; a change during a compile
 * triggers one more.
 */
import { watch, type FSWatcher } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import type { CompileOutcome } from "./gateway-registry.ts";
import type { Logger } from "./log.ts";

export type CompileFile = (file: string) => Promise<CompileOutcome>;

const CONFIG_EXTENSIONS = new Set([".ts", ".mts", ".yaml", ".yml", ".json"]);

export interface ConfigWatcherOptions {
  readonly files: readonly string[];
  readonly compile: CompileFile;
  readonly apply: (outcome: CompileOutcome) => void;
  readonly log: Logger;
}

export interface ConfigWatcher {
  close(): void;
}

export function watchConfigs(options: ConfigWatcherOptions): ConfigWatcher {
  // Editors write a file in several steps; one recompile after they settle.
  const debounceMs = 100;
  const files = options.files.map((file) => resolve(file));
  const state = new Map(files.map((file) => [file, { timer: undefined as NodeJS.Timeout | undefined, running: false, again: false }]));

  const recompile = async (file: string): Promise<void> => {
    const entry = state.get(file)!;
    if (entry.running) {
      entry.again = true;
      return;
    }
    entry.running = true;
    try {
      do {
        entry.again = false;
        options.log.info("config changed; recompiling", { file });
        options.apply(await options.compile(file));
      } while (entry.again);
    } catch (error) {
      options.log.error("recompile failed unexpectedly; still serving the last good snapshot", { file, error: (error as Error).message });
    } finally {
      entry.running = false;
    }
  };

  const schedule = (file: string) => {
    const entry = state.get(file)!;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void recompile(file), debounceMs);
  };

  const watchers: FSWatcher[] = [];
  for (const dir of new Set(files.map((file) => dirname(file)))) {
    const inDir = files.filter((file) => dirname(file) === dir);
    const watcher = watch(dir, (_event, name) => {
      if (name && !CONFIG_EXTENSIONS.has(extname(name))) return;
      for (const file of inDir) schedule(file);
    });
    watcher.on("error", (error) => options.log.error("cannot watch config directory", { dir, error: error.message }));
    watchers.push(watcher);
  }

  return {
    close: () => {
      for (const watcher of watchers) watcher.close();
      for (const entry of state.values()) clearTimeout(entry.timer);
    },
  };
}
