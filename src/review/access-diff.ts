/**
 * Access changes in words, from the access matrices of the two gateways (src/access/matrix.ts)
 * played with the same callers: "role clerk of identity customers gains POST /v2/orders",
 * "GET /admin/stats becomes public (reason: …)", "consumer acme loses access to users v1".
 * A route method is the same column on both sides when its method, path, header conditions and
 * host names are, so renaming a route changes nothing here.
 */
import { type Caller, callersOf } from "../access/callers.ts";
import { describeRule } from "../access/decide.ts";
import { type AccessMatrix, accessMatrix, type MatrixColumn } from "../access/matrix.ts";
import type { ModelPath } from "../config/locate.ts";
import type { GatewayIR, RouteIR } from "../model/ir.ts";
import { type CallerChanges, type Statement, statementsOf } from "./access-subjects.ts";
import { type Change, change } from "./change.ts";
import type { ConfigPaths } from "./paths.ts";
import { joinWords, versionWords } from "./words.ts";

/** `/v2/orders`, or `/orders [api-version: v2]` under header versioning. */
function pathLabel(column: MatrixColumn): string {
  const headers = column.headers.map((h) => (h.absent ? `no ${h.name}` : h.value === undefined ? `${h.name} present` : `${h.name}: ${h.value}`));
  return `${column.path}${column.match === "prefix" && column.path !== "/" ? "/**" : ""}${headers.length ? ` [${headers.join(", ")}]` : ""}`;
}

const keyOf = (column: MatrixColumn) => `${column.method} ${pathLabel(column)} ${column.hostnames.join(",")}`;

interface Side {
  readonly ir: GatewayIR;
  readonly matrix: AccessMatrix;
  readonly columns: ReadonlyMap<string, MatrixColumn>;
  readonly routes: ReadonlyMap<string, RouteIR>;
  /** Caller id → keys of the columns it may call. */
  readonly allowed: ReadonlyMap<string, ReadonlySet<string>>;
}

function side(ir: GatewayIR, callers: readonly Caller[]): Side {
  const matrix = accessMatrix(ir, callers);
  const columns = new Map(matrix.columns.map((column) => [keyOf(column), column]));
  const keys = new Map(matrix.columns.map((column) => [`${column.route} ${column.method}`, keyOf(column)]));
  const allowed = new Map<string, Set<string>>(callers.map((caller) => [caller.id, new Set()]));
  for (const cell of matrix.cells) if (cell.outcome === "allow") allowed.get(cell.caller)!.add(keys.get(`${cell.route} ${cell.method}`)!);
  return { ir, matrix, columns, routes: new Map(ir.routes.map((route) => [route.id, route])), allowed };
}

/** Both sides' callers, so each is asked of both gateways (the new side's description wins). */
function sharedCallers(before: GatewayIR, after: GatewayIR): Caller[] {
  const callers = new Map(callersOf(before).map((caller) => [caller.id, caller]));
  for (const caller of callersOf(after)) callers.set(caller.id, caller);
  return [...callers.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const routeOf = (s: Side, key: string) => {
  const column = s.columns.get(key);
  return column ? s.routes.get(column.route) : undefined;
};
const isPublic = (route: RouteIR | undefined) => route?.access.kind === "public" && route.action.kind !== "gone";

function accessWords(route: RouteIR | undefined): string {
  if (!route) return "route removed";
  if (route.action.kind === "gone") return "version retired: 410";
  if (route.access.kind === "deny") return "no rule: everyone is denied";
  if (route.access.kind === "public") return `public: ${route.access.reason}`;
  return route.access.rules.map(describeRule).join("; ");
}

/** HEAD goes wherever GET goes (src/model/methods.ts), so beside GET it says nothing. */
const shownMethods = (methods: readonly string[]) => [...new Set(methods)].filter((method) => method !== "HEAD" || !methods.includes("GET"));

/** `GET and POST /x`, one entry per path, in path order. */
function methodsByPath(keys: readonly string[], columns: (key: string) => MatrixColumn): string[] {
  const paths = new Map<string, string[]>();
  for (const key of keys) {
    const column = columns(key);
    paths.set(pathLabel(column), [...(paths.get(pathLabel(column)) ?? []), column.method]);
  }
  return [...paths].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, methods]) => `${joinWords(shownMethods(methods))} ${path}`);
}

/** Route methods as words: a whole API version (of more than one route method) as `access to <api> <version>`. */
function columnWords(keys: ReadonlySet<string>, reference: Side): string {
  const column = (key: string) => reference.columns.get(key)!;
  const versionOf = (c: MatrixColumn) => versionWords(c.api, c.version);
  const versions = new Map<string, string[]>();
  for (const key of keys) versions.set(versionOf(column(key)), [...(versions.get(versionOf(column(key))) ?? []), key]);
  const words: string[] = [];
  const rest: string[] = [];
  for (const [version, inVersion] of [...versions].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const all = [...reference.columns.values()].filter((c) => versionOf(c) === version);
    if (all.length > 1 && all.every((c) => keys.has(keyOf(c)))) words.push(`access to ${version}`);
    else rest.push(...inVersion);
  }
  return [...words, ...methodsByPath(rest, column)].join(", ");
}

/** Where a change to these columns is written: the new side's route access, else the version it was in. */
function placeOf(keys: Iterable<string>, before: Side, after: Side, paths: ConfigPaths): ModelPath {
  const key = [...keys].sort()[0]!;
  const route = routeOf(after, key);
  if (route) return paths.route(route.id)?.accessPath ?? paths.version(route.api, route.version);
  const old = routeOf(before, key);
  return old ? paths.version(old.api, old.version) : ["apis"];
}

/** Routes that became public or stopped being public: one sentence per path and reason, instead of one per caller. */
function publicChanges(keys: readonly string[], before: Side, after: Side, paths: ConfigPaths): { changes: Change[]; handled: Set<string> } {
  const groups = new Map<string, { keys: string[]; opened: boolean; words: string }>();
  for (const key of keys) {
    const [was, now] = [routeOf(before, key), routeOf(after, key)];
    if (isPublic(was) === isPublic(now)) continue;
    const opened = isPublic(now);
    const words = opened ? `reason: ${(now!.access as { reason: string }).reason}` : `now: ${accessWords(now)}`;
    const group = `${opened} ${pathLabel((after.columns.get(key) ?? before.columns.get(key))!)} ${words}`;
    groups.set(group, { keys: [...(groups.get(group)?.keys ?? []), key], opened, words });
  }
  const changes = [...groups.values()].map(({ keys: grouped, opened, words }) => {
    const what = methodsByPath(grouped, (key) => (after.columns.get(key) ?? before.columns.get(key))!)[0];
    return opened
      ? change("access", "loosens", "access.public", `${what} becomes public (${words})`, placeOf(grouped, before, after, paths))
      : change("access", "tightens", "access.not-public", `${what} is no longer public (${words})`, placeOf(grouped, before, after, paths));
  });
  return { changes, handled: new Set([...groups.values()].flatMap((group) => group.keys)) };
}

/** Merges subjects with the same gains (or losses) into one sentence. */
function sentences(statements: readonly Statement[], before: Side, after: Side, paths: ConfigPaths): Change[] {
  const merged = new Map<string, { subjects: string[]; statement: Statement }>();
  for (const statement of statements) {
    const key = `${statement.verb} ${[...statement.columns].sort().join("\0")}`;
    merged.set(key, { subjects: [...(merged.get(key)?.subjects ?? []), statement.subject], statement });
  }
  return [...merged.values()].map(({ subjects, statement }) => {
    const gain = statement.verb === "gain";
    const verb = subjects.length > 1 ? statement.verb : `${statement.verb}s`;
    const message = `${joinWords(subjects)} ${verb} ${columnWords(statement.columns, gain ? after : before)}`;
    return change("access", gain ? "loosens" : "tightens", gain ? "access.gain" : "access.loss", message, placeOf(statement.columns, before, after, paths));
  });
}

export function accessChanges(beforeIr: GatewayIR, afterIr: GatewayIR, paths: ConfigPaths): Change[] {
  const callers = sharedCallers(beforeIr, afterIr);
  const before = side(beforeIr, callers);
  const after = side(afterIr, callers);
  const keys = [...new Set([...before.columns.keys(), ...after.columns.keys()])].sort();
  const opened = publicChanges(keys, before, after, paths);
  const perCaller: CallerChanges[] = callers.map((caller) => {
    const was = before.allowed.get(caller.id)!;
    const now = after.allowed.get(caller.id)!;
    const open = (key: string) => !opened.handled.has(key);
    return { caller, gains: new Set([...now].filter((key) => !was.has(key) && open(key))), losses: new Set([...was].filter((key) => !now.has(key) && open(key))) };
  });
  const changes = [...opened.changes, ...sentences(statementsOf(perCaller), before, after, paths)];
  return changes.sort((a, b) => (a.risk === b.risk ? (a.message < b.message ? -1 : a.message > b.message ? 1 : 0) : a.risk === "loosens" ? -1 : 1));
}
