/**
 * Who an access change happens to, in words: the access matrix's callers (src/access/callers.ts)
 * folded into as few subjects as say the same thing. A caller whose every client range changes
 * alike is named once without a range; a change every caller of a JWT identity shares is said once
 * of "every caller of identity X" rather than for each set of claims.
 */
import type { Caller } from "../access/callers.ts";

/** One subject's gains or losses: column keys (see access-diff.ts). */
export interface Statement {
  readonly subject: string;
  readonly verb: "gain" | "lose";
  readonly columns: ReadonlySet<string>;
}

export interface CallerChanges {
  readonly caller: Caller;
  readonly gains: ReadonlySet<string>;
  readonly losses: ReadonlySet<string>;
}

interface Unit {
  readonly caller: Caller;
  /** `""` when every range of the caller changes alike. */
  readonly range: string;
  gains: Set<string>;
  losses: Set<string>;
}

const credentialOf = (caller: Caller) => caller.id.split("@")[0]!;
const signature = (changes: CallerChanges) => `${[...changes.gains].sort().join(",")}|${[...changes.losses].sort().join(",")}`;
const bare = (caller: Caller) => caller.kind === "jwt" && caller.scopes.length + caller.roles.length + caller.groups.length + caller.claims.length === 0;

/** A caller without its range: `role clerk of identity customers`, `consumer acme`. */
function credentialWords(caller: Caller): string {
  switch (caller.kind) {
    case "anonymous":
      return "anyone without a credential";
    case "apiKey":
      return `consumer ${caller.consumer}`;
    case "mtls":
      return `client ${caller.principal} of identity ${caller.identity}`;
    case "jwt": {
      const held = (one: string, values: readonly string[]) => (values.length ? [`${one}${values.length > 1 ? "s" : ""} ${values.join(", ")}`] : []);
      const parts = [...held("scope", caller.scopes), ...held("role", caller.roles), ...held("group", caller.groups), ...caller.claims.map((claim) => `claim ${claim.name}=${claim.value}`)];
      return parts.length ? `${parts.join(" and ")} of identity ${caller.identity}` : `a caller of identity ${caller.identity} with no particular claim`;
    }
  }
}

const withRange = (words: string, range: string) => (range ? `${words} from ${range}` : words);

/** One caller in words, its client range included (`consumer acme from 10.0.0.0/8`). */
export const callerWords = (caller: Caller) => withRange(credentialWords(caller), caller.range ?? "");

/** One unit per caller credential, or per caller when its ranges change differently. */
function unitsOf(changes: readonly CallerChanges[]): Unit[] {
  const byCredential = new Map<string, CallerChanges[]>();
  for (const entry of changes) byCredential.set(credentialOf(entry.caller), [...(byCredential.get(credentialOf(entry.caller)) ?? []), entry]);
  return [...byCredential.values()].flatMap((variants) => {
    const alike = new Set(variants.map(signature)).size === 1;
    const chosen = alike ? [variants.find((variant) => variant.caller.range === undefined) ?? variants[0]!] : variants;
    return chosen.map((entry) => ({ caller: entry.caller, range: alike ? "" : (entry.caller.range ?? "other addresses"), gains: new Set(entry.gains), losses: new Set(entry.losses) }));
  });
}

const intersection = (sets: readonly ReadonlySet<string>[]) => new Set([...(sets[0] ?? [])].filter((key) => sets.every((set) => set.has(key))));

/**
 * Statements for the units of one JWT identity. What the caller without claims gains, every caller
 * of the identity gains (rules only ask for more), so it is said once of "every caller"; a loss is
 * said so only when every caller it covers has it. A claimless caller covers the units of its range,
 * or all of them when its ranges changed alike.
 */
function jwtStatements(units: readonly Unit[]): Statement[] {
  const plain = units.filter((unit) => bare(unit.caller));
  const coveredBy = (unit: Unit) => plain.find((candidate) => candidate.range === "" || candidate.range === unit.range);
  const statements: Statement[] = [];
  for (const base of plain) {
    const covered = units.filter((unit) => unit !== base && !bare(unit.caller) && coveredBy(unit) === base);
    const everyLoss = covered.length ? intersection([base, ...covered].map((unit) => unit.losses)) : new Set(base.losses);
    const every = withRange(`every caller of identity ${base.caller.identity}`, base.range);
    statements.push(
      { subject: every, verb: "gain", columns: base.gains },
      { subject: every, verb: "lose", columns: everyLoss },
      { subject: withRange(credentialWords(base.caller), base.range), verb: "lose", columns: new Set([...base.losses].filter((key) => !everyLoss.has(key))) },
    );
    for (const unit of covered) {
      unit.gains = new Set([...unit.gains].filter((key) => !base.gains.has(key)));
      unit.losses = new Set([...unit.losses].filter((key) => !everyLoss.has(key)));
    }
  }
  return [...statements, ...units.filter((unit) => !bare(unit.caller)).flatMap(unitStatements)];
}

function unitStatements(unit: Unit): Statement[] {
  const subject = withRange(credentialWords(unit.caller), unit.range);
  return [
    { subject, verb: "gain", columns: unit.gains },
    { subject, verb: "lose", columns: unit.losses },
  ];
}

/** What each subject gains and loses, empty statements left out. */
export function statementsOf(changes: readonly CallerChanges[]): Statement[] {
  const units = unitsOf(changes);
  const jwtGroups = new Map<string, Unit[]>();
  const statements: Statement[] = [];
  for (const unit of units) {
    if (unit.caller.kind !== "jwt") statements.push(...unitStatements(unit));
    else jwtGroups.set(unit.caller.identity!, [...(jwtGroups.get(unit.caller.identity!) ?? []), unit]);
  }
  for (const group of jwtGroups.values()) statements.push(...jwtStatements(group));
  return statements.filter((statement) => statement.columns.size > 0);
}
