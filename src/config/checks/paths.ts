import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import type { GatewayConfig } from "../types.ts";
import type { Check, CheckContext } from "./context.ts";
import { NO_INPUTS, routeLocal } from "./walk.ts";

// Regex and glob syntax is taken literally by Envoy, so a path holding it would never match as meant.
const REGEXISH = /[*?()[\]{}|\\^]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const FORBIDDEN = /[\s"<>`#\u0000-\u001f\u007f-\uffff]/;
const LITERAL = /^[A-Za-z0-9\-._~!$&',;=:@+]+$/;
const VARIABLE = /^\{([A-Za-z][A-Za-z0-9_]{0,15})(?:=(\*\*?))?\}$/;
/** Envoy's uri_template matcher allows at most this many variables. */
const MAX_VARIABLES = 5;

/** Why a literal path cannot be matched as written, or undefined. */
function pathProblem(path: string): string | undefined {
  const bad = FORBIDDEN.exec(path);
  if (bad) return `it contains ${JSON.stringify(bad[0])}; spaces, quotes, '#', control and non-ASCII characters must be percent-encoded`;
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) return "'%' must start a percent-encoding such as %20";
  const regexish = REGEXISH.exec(path);
  if (regexish) return `'${regexish[0]}' is taken literally here, not as a pattern`;
  return undefined;
}

/** The variable names of a template, or why it is not a template Envoy accepts. */
function templateVariables(template: string, rewrite: boolean): { names: string[] } | { problem: string } {
  const segments = template.replace(/^\//, "").replace(/\/$/, "").split("/");
  const names: string[] = [];
  for (const [index, segment] of segments.entries()) {
    if (segment === "") return template === "/" ? { names } : { problem: "it has an empty segment ('//')" };
    const variable = VARIABLE.exec(segment);
    const last = index === segments.length - 1;
    if (variable) {
      const [, name = "", operator] = variable;
      if (rewrite && operator) return { problem: `a rewrite names variables only, as '{${name}}'` };
      if (operator === "**" && !last) return { problem: `'{${name}=**}' must be the last segment` };
      if (names.includes(name)) return { problem: `variable '${name}' is used twice` };
      names.push(name);
    } else if (!rewrite && (segment === "*" || segment === "**")) {
      if (segment === "**" && !last) return { problem: "'**' must be the last segment" };
    } else if (!LITERAL.test(segment.replace(/%[0-9A-Fa-f]{2}/g, "a"))) {
      return { problem: `segment '${segment}' is neither a literal nor a variable such as '{id}'${rewrite ? "" : ", '{path=**}' or '*'"}` };
    }
  }
  if (names.length > MAX_VARIABLES) return { problem: `it has ${names.length} variables; at most ${MAX_VARIABLES} are allowed` };
  return { names };
}

/** Findings about a literal path, pushed onto `out`. */
function literalChecker(out: Diagnostic[], context: CheckContext) {
  return (value: string | undefined, path: () => ModelPath, what: string) => {
    const problem = value === undefined ? undefined : pathProblem(value);
    if (problem) {
      out.push(finding(context.place, "PCL3027", `${what} '${value}' is not a valid path: ${problem}`, path(), {
        hint: REGEXISH.test(value ?? "") ? "for variable segments use match.template (e.g. '/orders/{id}' or '/files/{path=**}'); for everything below a path use match.prefix" : "percent-encode the character, e.g. a space as %20",
      }));
    }
  };
}

const routePaths = routeLocal(NO_INPUTS, (group, _config, context) => {
  const out: Diagnostic[] = [];
  const literal = literalChecker(out, context);
  for (const { route, path } of group.routes) {
    literal(route.match.path, () => [...path, "match", "path"], "the route's path");
    literal(route.match.prefix, () => [...path, "match", "prefix"], "the route's prefix");
    literal(route.rewrite?.prefix, () => [...path, "rewrite", "prefix"], "the rewrite prefix");
    const matched = route.match.template === undefined ? undefined : templateVariables(route.match.template, false);
    if (matched && "problem" in matched) {
      out.push(finding(context.place, "PCL3027", `the route's template '${route.match.template}' is not valid: ${matched.problem}`, [...path, "match", "template"], {
        hint: "write literal segments and variables such as '/orders/{id}', '/files/{path=**}' or '/items/*'",
      }));
    }
    if (route.match.template !== undefined && route.rewrite?.prefix !== undefined) {
      out.push(finding(context.place, "PCL3027", "rewrite.prefix cannot rewrite a match.template route", [...path, "rewrite", "prefix"], {
        hint: `use rewrite.template with the match's variables instead, e.g. '/api${route.match.template.replace(/^\/[^/{]*/, "")}'`,
      }));
    }
    if (route.rewrite?.template !== undefined) out.push(...rewriteFindings(route.rewrite.template, matched, route.match.template !== undefined, [...path, "rewrite"], context));
  }
  return out;
});

/** Route paths, templates, rewrites and endpoint paths are in the forms Envoy accepts. */
export const checkPaths: Check = (config, context) => {
  const out = routePaths(config, context);
  const literal = literalChecker(out, context);
  for (const [site, path, what] of otherPaths(config)) literal(site, () => path, what);
  return out;
};

function rewriteFindings(template: string, matched: ReturnType<typeof templateVariables> | undefined, matchIsTemplate: boolean, path: ModelPath, context: CheckContext): Diagnostic[] {
  if (!matchIsTemplate) {
    return [finding(context.place, "PCL3027", "rewrite.template needs a match.template to take its variables from", [...path, "template"], {
      hint: "match with a template such as '/orders/{id}', or rewrite with rewrite.prefix",
    })];
  }
  const own = template.startsWith("/") ? templateVariables(template, true) : { problem: "it does not start with '/'" };
  if ("problem" in own) {
    return [finding(context.place, "PCL3027", `rewrite template '${template}' is not valid: ${own.problem}`, [...path, "template"], { hint: "write literal segments and the match's variables, e.g. '/api/orders/{id}'" })];
  }
  const known = matched && "names" in matched ? matched.names : [];
  return own.names.filter((name) => !known.includes(name)).map((name) =>
    finding(context.place, "PCL3027", `rewrite template uses '{${name}}', which the match template does not define`, [...path, "template"], {
      hint: known.length > 0 ? `use one of: ${known.map((n) => `{${n}}`).join(", ")}` : "name the variable in the match template first, e.g. '/orders/{id}'",
    }));
}

function otherPaths(config: GatewayConfig): [string | undefined, ModelPath, string][] {
  return [
    [config.ai?.basePath, ["ai", "basePath"], "ai.basePath"],
    ...(config.prompts ?? []).map((prompt, index): [string, ModelPath, string] => [prompt.path, ["prompts", index, "path"], `the path of prompt '${prompt.name}'`]),
    ...(config.mcp ?? []).map((mcp, index): [string, ModelPath, string] => [mcp.path, ["mcp", index, "path"], `the path of MCP API '${mcp.name}'`]),
    ...Object.entries(config.providers ?? {}).map(([name, provider]): [string | undefined, ModelPath, string] =>
      [provider.type === "service" ? provider.healthCheck?.path : undefined, ["providers", name, "healthCheck", "path"], `the health check path of '${name}'`]),
  ];
}
