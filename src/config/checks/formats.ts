import { isIP } from "node:net";
import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import type { Check, CheckContext } from "./context.ts";
import { accessLocal, NO_INPUTS, routeLocal } from "./walk.ts";

/** RFC 9110 token: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Client CIDRs, URLs and header names are in the forms Envoy accepts. */
export const checkFormats: Check = (config, context) => [...cidrs(config, context), ...urls(config, context), ...headerNames(config, context)];

function cidrProblem(range: string): string | undefined {
  const [address = "", length, ...rest] = range.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `'${address}' is not an IPv4 or IPv6 address`;
  const max = family === 4 ? 32 : 128;
  if (length !== undefined && !(/^\d{1,3}$/.test(length) && Number(length) <= max)) return `the prefix length must be a number from 0 to ${max}`;
  return undefined;
}

/** Client CIDRs of allow rules; a route's clean rules are not looked at again. */
const cidrs = accessLocal(NO_INPUTS, (sites, _config, context) => {
  const out: Diagnostic[] = [];
  for (const { access, path } of sites) {
    if (!("allow" in access)) continue;
    for (const [ruleIndex, rule] of access.allow.entries()) {
      for (const [index, range] of (rule.clientCidrs ?? []).entries()) {
        const problem = cidrProblem(range);
        if (problem === undefined) continue;
        out.push(finding(context.place, "PCL3024", `client CIDR '${range}' is not valid: ${problem}`, [...path, "allow", ruleIndex, "clientCidrs", index], {
          hint: 'write an address range such as "10.0.0.0/8", "192.168.1.7/32" or "2001:db8::/32"',
        }));
      }
    }
  }
  return out;
});

function urlProblem(text: string, schemes: readonly string[]): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(text)) return "it contains whitespace or control characters";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "it is not an absolute URL";
  }
  if (!schemes.includes(url.protocol)) return `its scheme '${url.protocol.replace(/:$/, "")}' is not ${schemes.map((s) => s.replace(/:$/, "")).join(" or ")}`;
  if (url.hostname === "") return "it has no host";
  if (url.username !== "" || url.password !== "") return "it carries credentials; Portcullis injects them from secrets instead";
  if (url.hash !== "") return "it has a '#' fragment, which is never sent";
  return undefined;
}

function urls(config: Parameters<Check>[0], context: CheckContext): Diagnostic[] {
  const wanted: { url: string; path: ModelPath; what: string; schemes: string[]; example: string }[] = [];
  for (const [name, identity] of Object.entries(config.identities ?? {})) {
    if (identity.type === "jwt" && "url" in identity.jwks) {
      wanted.push({ url: identity.jwks.url, path: ["identities", name, "jwks", "url"], what: `JWKS URL of identity '${name}'`, schemes: ["https:"], example: "https://auth.example.com/.well-known/jwks.json" });
    }
  }
  for (const [name, provider] of Object.entries(config.providers ?? {})) {
    if (provider.type === "mcp") wanted.push({ url: provider.url, path: ["providers", name, "url"], what: `URL of MCP server '${name}'`, schemes: ["https:", "http:"], example: "https://tools.internal/mcp" });
    else if (provider.type !== "service" && provider.baseUrl !== undefined) {
      wanted.push({ url: provider.baseUrl, path: ["providers", name, "baseUrl"], what: `baseUrl of provider '${name}'`, schemes: ["https:", "http:"], example: "https://llm.internal/v1" });
    }
  }
  return wanted.flatMap(({ url, path, what, schemes, example }) => {
    const problem = urlProblem(url, schemes);
    if (problem === undefined) return [];
    // A URL with user:password in it is a pasted secret: never print it back.
    const credentials = /\/\/[^/?#]*@/.test(url);
    const shown = credentials ? url.replace(/\/\/[^/?#]*@/, "//[redacted]@") : url;
    const withScheme = schemes[0] === "https:" && /^http:\/\//i.test(shown) ? shown.replace(/^http:/i, "https:") : `${schemes[0]}//${shown}`;
    const near = !credentials && urlProblem(withScheme, schemes) === undefined ? `did you mean '${withScheme}'? ` : "";
    const diagnostic = finding(context.place, "PCL3025", `${what} '${shown}' is not valid: ${problem}`, path, { hint: `${near}write a full ${schemes[0]?.replace(/:$/, "")} URL, e.g. "${example}"` });
    return [credentials ? { ...diagnostic, secretValue: true } : diagnostic];
  });
}

interface HeaderNameSite {
  readonly name: string;
  readonly path: ModelPath;
}

/** Header names routes match on or list for CORS; a group with clean names is not looked at again. */
const routeHeaderNames = routeLocal(NO_INPUTS, (group, _config, context) => {
  const wanted: HeaderNameSite[] = [];
  for (const { route, path } of group.routes) {
    for (const [index, header] of (route.match.headers ?? []).entries()) wanted.push({ name: header.name, path: [...path, "match", "headers", index, "name"] });
    for (const list of ["headers", "exposeHeaders"] as const) {
      for (const [index, name] of (route.cors?.[list] ?? []).entries()) wanted.push({ name, path: [...path, "cors", list, index] });
    }
  }
  return headerNameFindings(wanted, context);
});

function headerNames(config: Parameters<Check>[0], context: CheckContext): Diagnostic[] {
  const wanted: HeaderNameSite[] = [];
  for (const [index, api] of (config.apis ?? []).entries()) {
    if (api.versioning?.by === "header" && api.versioning.header !== undefined) wanted.push({ name: api.versioning.header, path: ["apis", index, "versioning", "header"] });
  }
  for (const [name, identity] of Object.entries(config.identities ?? {})) {
    const sources = identity.type === "jwt" ? (identity.from ?? []) : identity.type === "apiKey" && identity.from ? [identity.from] : [];
    sources.forEach((source, index) => {
      if ("header" in source) wanted.push({ name: source.header, path: identity.type === "jwt" ? ["identities", name, "from", index, "header"] : ["identities", name, "from", "header"] });
    });
  }
  for (const [index, name] of (config.audit?.redactHeaders ?? []).entries()) wanted.push({ name, path: ["audit", "redactHeaders", index] });
  return [...routeHeaderNames(config, context), ...headerNameFindings(wanted, context)];
}

function headerNameFindings(wanted: readonly HeaderNameSite[], context: CheckContext): Diagnostic[] {
  return wanted.flatMap(({ name, path }) => {
    if (TOKEN.test(name)) return [];
    const cleaned = name.trim().replace(/[^!#$%&'*+\-.^_`|~0-9A-Za-z]+/g, "-").replace(/^-+|-+$/g, "");
    return [finding(context.place, "PCL3026", `'${name}' is not a valid HTTP header name`, path, {
      hint: `${cleaned !== "" ? `did you mean '${cleaned}'? ` : ""}a header name is letters, digits and !#$%&'*+-.^_\`|~, without spaces, ':' or control characters`,
    })];
  });
}
