import { readFileSync } from "node:fs";
import { extname } from "node:path";
import type { Diagnostic, SourceLocation } from "./diagnostics.ts";
import { hasErrors } from "./diagnostics.ts";
import { CONFIG_FILE_NAMES, discoverConfig } from "./discover.ts";
import { fileContent } from "./load/file-content.ts";
import { oneFindingPerMistake } from "./load/one-finding-per-mistake.ts";
import { toPlainData } from "./load/plain-data.ts";
import type { ParsedSource } from "./load/source.ts";
import { parseYaml } from "./load/yaml.ts";
import { readYamlConfig } from "./load/yaml-config.ts";
import type { Locate } from "./locate.ts";
import type { GatewayConfig } from "./types.ts";
import { validateConfig } from "./validate.ts";

export interface LoadResult {
  /** Absolute path of the config file (or of the directory searched, when none was found). */
  readonly file: string;
  /** The validated model; present only when there are no error diagnostics. */
  readonly config?: GatewayConfig;
  /** Every finding of loading, type-checking and validation, in source order. */
  readonly diagnostics: readonly Diagnostic[];
  /** The files the config was read from: the config file and the local modules a script config imports. */
  readonly files: readonly string[];
  /** Where a model path is written in the file, for later stages to place their own findings. */
  locate(path: readonly (string | number)[], part?: "key" | "value"): SourceLocation | undefined;
}

export interface LoadOptions {
  /** Directory that relative paths and discovery start from; defaults to process.cwd(). */
  readonly cwd?: string;
  /** Today as `YYYY-MM-DD` for lifecycle checks; defaults to the current UTC date. */
  readonly today?: string;
}

const nowhere: Locate = () => undefined;

/** Finds, reads, parses (or type-checks and evaluates) and validates a gateway config. */
export async function loadConfig(path?: string, options: LoadOptions = {}): Promise<LoadResult> {
  const { file, found } = discoverConfig(path, options.cwd ?? process.cwd());
  if (!found) {
    return failed(file, "PCL1001", path === undefined || !extname(file)
      ? `no gateway config found in ${file}`
      : `config file ${file} does not exist`, `create one with 'portcullis init', or name one of: ${CONFIG_FILE_NAMES.join(", ")}`);
  }
  let bytes: Buffer;
  try {
    // Synchronous: a config file is read in well under a millisecond, and the async read's trips
    // through the thread pool cost a hot reload of a 3,000-route file more than the read itself.
    bytes = readFileSync(file);
  } catch (error) {
    return failed(file, "PCL1003", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, "check the path and its permissions");
  }
  const parsed = await parseSource(file, bytes);
  const locate = parsed.locate;
  const place = { file, locate };
  let diagnostics = [...parsed.diagnostics];
  let config: GatewayConfig | undefined;
  if (parsed.value !== undefined) {
    const plain = parsed.plain ? { value: parsed.value, diagnostics: [] } : toPlainData(parsed.value, place);
    diagnostics.push(...plain.diagnostics);
    if (!hasErrors(plain.diagnostics)) {
      const findings = topLevelFinding(plain.value, file) ?? validateConfig(plain.value, locate, { file, ...(options.today ? { today: options.today } : {}) });
      diagnostics = oneFindingPerMistake({ loaded: diagnostics, validated: findings, value: plain.value, locate });
      if (!hasErrors(diagnostics)) config = plain.value as GatewayConfig;
    }
  }
  return { file, ...(config ? { config } : {}), diagnostics: sortByLocation(diagnostics), files: parsed.files ?? [file], locate };
}

async function parseSource(file: string, bytes: Buffer): Promise<ParsedSource> {
  switch (extname(file).toLowerCase()) {
    case ".yaml":
    case ".yml":
      // As bytes: a hot reload of an ASCII file compares and rereads them without making the whole text.
      return readYamlConfig(file, fileContent(bytes));
    case ".json":
      return parseYaml(file, bytes.toString("utf8"), "json");
    case ".ts":
    case ".mts":
    case ".mjs":
    case ".js":
      return (await import("./load/script.ts")).parseScript(file, bytes.toString("utf8"));
    default:
      return {
        diagnostics: [unsupported(file)],
        locate: nowhere,
      };
  }
}

function unsupported(file: string): Diagnostic {
  return {
    code: "PCL1002",
    severity: "error",
    message: `${file} is not a config format Portcullis reads`,
    hint: "use .ts, .mjs, .js, .yaml, .yml or .json",
    location: { file, line: 1, column: 1 },
  };
}

function topLevelFinding(value: unknown, file: string): Diagnostic[] | undefined {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return undefined;
  return [{
    code: "PCL1012",
    severity: "error",
    message: value === null ? "the config file is empty" : `the config must be an object, not ${Array.isArray(value) ? "a list" : typeof value}`,
    hint: "start from 'portcullis init', which writes a minimal gateway",
    location: { file, line: 1, column: 1 },
  }];
}

function sortByLocation(diagnostics: Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => [d.location?.file ?? "", d.location?.line ?? 0, d.location?.column ?? 0, d.code] as const;
  return diagnostics
    .map((d, index) => ({ d, index }))
    .sort((a, b) => {
      const [fa, la, ca, xa] = key(a.d);
      const [fb, lb, cb, xb] = key(b.d);
      return fa.localeCompare(fb) || la - lb || ca - cb || xa.localeCompare(xb) || a.index - b.index;
    })
    .map(({ d }) => d);
}

function failed(file: string, code: "PCL1001" | "PCL1003", message: string, hint: string): LoadResult {
  return { file, diagnostics: [{ code, severity: "error", message, hint, location: { file, line: 1, column: 1 } }], files: [file], locate: nowhere };
}

