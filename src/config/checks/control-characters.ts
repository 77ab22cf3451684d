import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import type { GatewayConfig } from "../types.ts";
import type { Check, CheckContext } from "./context.ts";
import { type AccessSite, accessLocal, NO_INPUTS, routeLocal } from "./walk.ts";

// Every C0 control character but the tab, and DEL: an HTTP field value cannot carry them (RFC 9110 §5.5),
// Envoy rejects a config holding them in a header value, and a claim, SAN or log path holding one never matches.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const NAMES: Readonly<Record<string, string>> = { "\n": "a line break (\\n)", "\r": "a carriage return (\\r)", "\u0000": "a NUL character (\\u0000)" };

/** How a control character is written in a YAML or JSON double-quoted string. */
function characterName(character: string): string {
  return NAMES[character] ?? `the control character \\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

interface Site {
  readonly value: string | undefined;
  readonly path: ModelPath;
  readonly what: string;
  /** A record key: the finding points at the name, not its value. */
  readonly key?: true;
}

const RULE_LISTS = { scopes: "a required scope", roles: "a required role", groups: "a required group", spiffeIds: "an allowed SPIFFE ID" } as const;

/**
 * Strings outside routes and access rules that reach Envoy as header values, matchers or file
 * paths and are not checked by a format of their own (paths, host names, URLs and header names
 * have theirs): identities' and providers' first, the access log path last.
 */
function* identitySites(config: GatewayConfig): Generator<Site> {
  for (const [name, identity] of Object.entries(config.identities ?? {})) {
    const path = ["identities", name];
    if (identity.type === "jwt") {
      yield { value: identity.issuer, path: [...path, "issuer"], what: `the issuer of identity '${name}'` };
      for (const [index, audience] of (identity.audiences ?? []).entries()) yield { value: audience, path: [...path, "audiences", index], what: "an audience" };
      for (const [index, source] of (identity.from ?? []).entries()) {
        if ("header" in source) yield { value: source.prefix, path: [...path, "from", index, "prefix"], what: "the token prefix" };
        if ("query" in source) yield { value: source.query, path: [...path, "from", index, "query"], what: "the query parameter name" };
        if ("cookie" in source) yield { value: source.cookie, path: [...path, "from", index, "cookie"], what: "the cookie name" };
      }
      for (const [field, claim] of Object.entries(identity.claims ?? {})) yield { value: claim, path: [...path, "claims", field], what: `the ${field} claim name` };
    } else if (identity.type === "apiKey") {
      if (identity.from && "query" in identity.from) yield { value: identity.from.query, path: [...path, "from", "query"], what: "the query parameter name" };
      for (const [index, consumer] of identity.consumers.entries()) yield { value: consumer.team, path: [...path, "consumers", index, "team"], what: `the team of consumer '${consumer.name}'` };
    } else {
      for (const [index, client] of identity.clients.entries()) {
        yield { value: client.spiffeId, path: [...path, "clients", index, "spiffeId"], what: `the SPIFFE ID of client '${client.name}'` };
        yield { value: client.san, path: [...path, "clients", index, "san"], what: `the SAN of client '${client.name}'` };
      }
    }
  }
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    if (provider.type === "service" || provider.type === "mcp") {
      const path = ["providers", name, "tls"];
      for (const [index, id] of (provider.tls?.expectedSpiffeIds ?? []).entries()) yield { value: id, path: [...path, "expectedSpiffeIds", index], what: "an expected SPIFFE ID" };
      for (const [index, san] of (provider.tls?.expectedSans ?? []).entries()) yield { value: san, path: [...path, "expectedSans", index], what: "an expected SAN" };
    }
  }
}

/** The header values routes match; a group with clean values is not looked at again. */
const routeHeaderValues = routeLocal(NO_INPUTS, (group, _config, context) => {
  const sites: Site[] = [];
  for (const { route, path } of group.routes) {
    for (const [index, header] of (route.match.headers ?? []).entries()) sites.push({ value: header.value, path: [...path, "match", "headers", index, "value"], what: `the value matched in header '${header.name}'` });
  }
  return controlFindings(sites, context);
});

function* ruleSites(sites: readonly AccessSite[]): Generator<Site> {
  for (const { access, path } of sites) {
    if (!("allow" in access)) continue;
    for (const [ruleIndex, rule] of access.allow.entries()) {
      const rulePath = [...path, "allow", ruleIndex];
      for (const [list, what] of Object.entries(RULE_LISTS) as [keyof typeof RULE_LISTS, string][]) {
        for (const [index, value] of (rule[list] ?? []).entries()) yield { value, path: [...rulePath, list, index], what };
      }
      for (const [claim, wanted] of Object.entries(rule.claims ?? {})) {
        yield { value: claim, path: [...rulePath, "claims", claim], what: "a claim name", key: true };
        const values = typeof wanted === "string" ? [wanted] : wanted;
        for (const [index, value] of values.entries()) yield { value, path: typeof wanted === "string" ? [...rulePath, "claims", claim] : [...rulePath, "claims", claim, index], what: `a value of claim '${claim}'` };
      }
    }
  }
}

/** What allow rules require and match; a route's clean rules are not looked at again. */
const ruleValues = accessLocal(NO_INPUTS, (sites, _config, context) => controlFindings(ruleSites(sites), context));

function controlFindings(sites: Iterable<Site>, context: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { value, path, what, key } of sites) {
    const bad = value === undefined ? null : CONTROL.exec(value);
    if (!bad) continue;
    out.push(finding(context.place, "PCL3032", `${what} holds ${characterName(bad[0])}; Envoy rejects control characters in header values and never matches them elsewhere`, path, {
      ...(key ? { at: "key" as const } : {}),
      hint: "remove the character; in YAML or JSON, a double-quoted \"\\n\" or \"\\t\" is a control character, not two letters",
    }));
  }
  return out;
}

/** No control character (NUL, CR, LF, ...) in text that becomes a header value, a matcher or a file path. */
export const checkControlCharacters: Check = (config, context) => [
  ...controlFindings(identitySites(config), context),
  ...routeHeaderValues(config, context),
  ...ruleValues(config, context),
  ...controlFindings([{ value: config.audit?.accessLog, path: ["audit", "accessLog"], what: "the access log path" }], context),
];
