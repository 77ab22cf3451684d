/**
 * Loads rule packs once per process: the built-in packs from Portcullis's policies/ folder on first
 * use, a user's pack again only when its text changed (so `serve --watch` picks up an edited pack
 * and a recompile of the same gateway reads it without compiling it anew).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Diagnostic } from "../config/diagnostics.ts";
import { compilePack, type CompiledRule } from "./pack-compile.ts";
import { readPack } from "./pack-file.ts";

export const BUILT_IN_PACKS = ["zero-trust", "governance"] as const;

export interface LoadedPack {
  readonly rules: readonly CompiledRule[];
  readonly diagnostics: readonly Diagnostic[];
}

// From src/policy (a checkout) or dist/src/policy (the installed package).
const CANDIDATES = ["../../policies/", "../../../policies/"];

/** Where the built-in packs are in this installation. */
export function builtInPackDir(): string {
  for (const candidate of CANDIDATES) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${dir}zero-trust.yaml`)) return dir;
  }
  throw new Error("policies/ is missing from the Portcullis installation");
}

function load(file: string, text: string, builtIn: boolean): LoadedPack {
  const read = readPack(file, text);
  if (!read.pack) return { rules: [], diagnostics: read.diagnostics };
  return compilePack(read.pack, builtIn);
}

let builtIns: readonly CompiledRule[] | undefined;

/** The built-in rules; a broken built-in pack is a bug in Portcullis, so it throws. */
export function builtInRules(): readonly CompiledRule[] {
  if (builtIns) return builtIns;
  const dir = builtInPackDir();
  const packs = BUILT_IN_PACKS.map((name) => {
    const file = `${dir}${name}.yaml`;
    return load(file, readFileSync(file, "utf8"), true);
  });
  const broken = packs.flatMap((pack) => pack.diagnostics);
  if (broken.length > 0) throw new Error(`a built-in policy pack is broken: ${broken.map((d) => `${d.location?.line}:${d.location?.column} ${d.message}`).join("; ")}`);
  builtIns = packs.flatMap((pack) => pack.rules);
  return builtIns;
}

const userPacks = new Map<string, { readonly text: string; readonly pack: LoadedPack }>();

/** A user's pack; `text` is the file's content, read by the caller (who reports a file it cannot read). */
export function userPack(file: string, text: string): LoadedPack {
  const cached = userPacks.get(file);
  if (cached?.text === text) return cached.pack;
  const pack = load(file, text, false);
  userPacks.set(file, { text, pack });
  return pack;
}
