import { copyFileSync, renameSync } from "node:fs";

/** Replaces a file the way deploy tools and editors do: write beside it, then rename over it. */
export function replaceByRename(target: string, source: string): void {
  copyFileSync(source, `${target}.tmp`);
  renameSync(`${target}.tmp`, target);
}
