import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import type { Check, CheckContext } from "./context.ts";
import { accessLocal, NO_INPUTS } from "./walk.ts";

/**
 * A dotted claim name is a path into nested objects (`realm_access.roles`) unless it is a
 * namespaced claim (`https://shop.example/roles`); each part becomes a key of an Envoy metadata
 * path, which must not be empty, so `.`, `a..b`, `.roles` or `roles.` name nothing.
 */
function emptyPart(name: string): boolean {
  return !name.includes("://") && name.split(".").some((part) => part === "");
}

/** Claim names, in identities' claim mappings and in allow rules, are paths Envoy can follow. */
export const checkClaimNames: Check = (config, context) => {
  const sites: ClaimSite[] = [];
  for (const [identity, definition] of Object.entries(config.identities ?? {})) {
    if (definition.type !== "jwt") continue;
    for (const [field, name] of Object.entries(definition.claims ?? {})) sites.push({ name, path: ["identities", identity, "claims", field], key: false });
  }
  return [...claimFindings(sites, context), ...ruleClaims(config, context)];
};

interface ClaimSite {
  readonly name: string;
  readonly path: ModelPath;
  readonly key: boolean;
}

/** The claim names allow rules match on; a route's clean rules are not looked at again. */
const ruleClaims = accessLocal(NO_INPUTS, (sites, _config, context) => {
  const claims: ClaimSite[] = [];
  for (const { access, path } of sites) {
    if (!("allow" in access)) continue;
    for (const [index, rule] of access.allow.entries()) {
      for (const name of Object.keys(rule.claims ?? {})) claims.push({ name, path: [...path, "allow", index, "claims", name], key: true });
    }
  }
  return claimFindings(claims, context);
});

function claimFindings(sites: readonly ClaimSite[], context: CheckContext): Diagnostic[] {
  // An empty name is the schema's finding (minLength, propertyNames).
  return sites.filter(({ name }) => name !== "" && emptyPart(name)).map(({ name, path, key }): Diagnostic => {
    const repaired = name.replace(/^\.+|\.+$/g, "").replace(/\.{2,}/g, ".");
    return finding(context.place, "PCL3037", `claim name '${name}' has an empty part: a dotted name is a path into the token's nested claims`, path, {
      ...(key ? { at: "key" as const } : {}),
      hint: `${repaired ? `did you mean '${repaired}'? ` : ""}write the parts of the path with '.' between them, e.g. 'realm_access.roles'`,
    });
  });
}
