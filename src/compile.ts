/**
 * The compile pipeline: config → IR → Envoy resources. `compileGateway` is pure (a cache of
 * per-route work makes recompiles of the same gateway fast but never changes the result);
 * `compileGatewayFile` adds loading and validation. The control plane calls these for `serve`
 * and hot reload; the CLI calls them for compile, diff and validate.
 */
import type { Diagnostic } from "./config/diagnostics.ts";
import { hasErrors } from "./config/diagnostics.ts";
import { isFrozenConfig } from "./config/frozen-config.ts";
import { toPlainData } from "./config/load/plain-data.ts";
import { loadConfig } from "./config/load.ts";
import type { Locate } from "./config/locate.ts";
import type { GatewayConfig } from "./config/types.ts";
import type { GatewayIR } from "./model/ir.ts";
import { runPolicy, type WaivedFinding } from "./policy/run.ts";
import { newPolicyState, type PolicyState } from "./policy/evaluate.ts";
import { resolve } from "./model/resolve.ts";
import type { SecretMode } from "./model/secrets.ts";
import { RouteCache } from "./model/resolve-routes.ts";
import { RecentlyUsed } from "./recently-used.ts";
import type { Snapshot } from "./xds/snapshot.ts";
import { newTranslateState, translate, type TranslateState } from "./xds/translate.ts";

export interface CompileOptions {
  /** The config file: diagnostics name it and relative secret files start from its directory. */
  readonly file?: string;
  /** `read` (default) reads secrets; `placeholder` never does — for output that never holds them. */
  readonly secrets?: SecretMode;
  readonly env?: NodeJS.ProcessEnv;
  /** Today as `YYYY-MM-DD` for the policy engine (waiver expiry, sunset dates); defaults to the current UTC date. */
  readonly today?: string;
  /** The instant access grants are judged at (ms since the epoch); defaults to now. */
  readonly now?: number;
  /** Findings of the config stage: a policy rule that covers one of them does not say it again. */
  readonly reported?: readonly Diagnostic[];
}

export interface CompileGatewayResult {
  readonly diagnostics: readonly Diagnostic[];
  /** The files the config names and the resolve read (secrets, JWKS). */
  readonly files?: readonly string[];
  readonly ir?: GatewayIR;
  /** Policy findings accepted by a waiver: not in `diagnostics`, listed for review. */
  readonly waived?: readonly WaivedFinding[];
  /** Present only when there are no errors. */
  readonly snapshot?: Snapshot;
}

export interface CompileResult extends CompileGatewayResult {
  readonly file: string;
  /** The validated user model, when it loaded without errors (e.g. for `up`'s dev settings). */
  readonly config?: GatewayConfig;
  /** gateway.name: the node.cluster of the Envoys that get this snapshot. */
  readonly gateway?: string;
  /** Every file this compile depends on: the config, its local modules and the files it names (what `serve --watch` follows). */
  readonly files: readonly string[];
  /** Where a config path is written, when the config loaded: serve locates its own checks and Envoy's NACKs with it. */
  readonly locate?: Locate;
}

interface GatewayState {
  readonly routes: RouteCache;
  readonly translate: TranslateState;
  readonly policy: PolicyState;
  /** The last config compiled, as frozen data: a config built in code is shared with it (see `frozenCopy`). */
  last?: GatewayConfig;
}

/**
 * How many gateways' caches are kept, the most recently compiled: a long-running serve whose
 * gateway was renamed, or a process that compiled many gateways, does not keep every old one's
 * (about 10 MB per 1,000 routes). One compiled again after that is compiled whole once.
 */
const MAX_GATEWAY_STATES = 64;
// One cache per gateway (and secret mode), so a hot reload resolves and translates only what changed.
const states = new RecentlyUsed<string, GatewayState>(MAX_GATEWAY_STATES);

function stateFor(key: string): GatewayState {
  const state = states.get(key) ?? { routes: new RouteCache(), policy: newPolicyState(), translate: newTranslateState() };
  states.set(key, state);
  return state;
}

function internalError(error: unknown): Diagnostic {
  return {
    code: "PCL4999",
    severity: "error",
    message: `Internal error while compiling — this is a bug in Portcullis, please report it: ${error instanceof Error ? error.message : String(error)}`,
  };
}

/**
 * A config built in code as frozen data shared with the last one compiled, as the loader makes a
 * YAML file's: every part equal to the last config's is that object, so later stages reuse their
 * work by identity instead of writing each route's content out. The config as given when it is not
 * plain data (the loader would have refused it; the stages may still make sense of it).
 */
function frozenCopy(config: GatewayConfig, state: GatewayState): GatewayConfig {
  if (isFrozenConfig(config)) return (state.last = config);
  const copy = toPlainData(config, { file: "<config>", locate: () => undefined }, { freeze: true, previous: state.last, flatItems: true });
  if (copy.diagnostics.length > 0) return config;
  return (state.last = copy.value as GatewayConfig);
}

/** Resolves and translates a validated config. Never throws: failures come back as diagnostics. */
export function compileGateway(written: GatewayConfig, locate?: Locate, options: CompileOptions = {}): CompileGatewayResult {
  try {
    const state = stateFor(`${String(written.gateway?.name)}\0${options.secrets ?? "read"}`);
    const config = frozenCopy(written, state);
    const resolved = resolve(config, {
      cache: state.routes,
      ...(options.file ? { file: options.file } : {}),
      ...(locate ? { locate } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.now !== undefined ? { now: options.now } : {}),
    });
    if (!resolved.ir) return { diagnostics: resolved.diagnostics, ...(resolved.files ? { files: resolved.files } : {}) };
    const policy = runPolicy(resolved.ir, {
      file: options.file ?? "gateway config",
      ...(locate ? { locate } : {}),
      today: options.today ?? new Date().toISOString().slice(0, 10),
      reported: [...(options.reported ?? []), ...resolved.diagnostics],
      state: state.policy,
    });
    const result = { diagnostics: [...resolved.diagnostics, ...policy.diagnostics], files: [...(resolved.files ?? []), ...policy.files], ir: resolved.ir, waived: policy.waived };
    if (hasErrors(policy.diagnostics)) return result;
    return { ...result, snapshot: translate(resolved.ir, state.translate) };
  } catch (error) {
    return { diagnostics: [internalError(error)] };
  }
}

/** Loads, validates, resolves and translates a config file (discovered in cwd when no path is given). */
export async function compileGatewayFile(path?: string, options: { cwd?: string; secrets?: SecretMode; env?: NodeJS.ProcessEnv; today?: string; now?: number } = {}): Promise<CompileResult> {
  const loaded = await loadConfig(path, { ...(options.cwd ? { cwd: options.cwd } : {}), ...(options.today ? { today: options.today } : {}) });
  if (!loaded.config || hasErrors(loaded.diagnostics)) return { file: loaded.file, diagnostics: loaded.diagnostics, files: loaded.files };
  const compiled = compileGateway(loaded.config, (p, part) => loaded.locate(p, part), {
    file: loaded.file,
    reported: loaded.diagnostics,
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.today ? { today: options.today } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  return {
    file: loaded.file,
    config: loaded.config,
    locate: (p, part) => loaded.locate(p, part),
    gateway: loaded.config.gateway.name,
    ...compiled,
    diagnostics: [...loaded.diagnostics, ...compiled.diagnostics],
    files: [...new Set([...loaded.files, ...(compiled.files ?? [])])],
  };
}
