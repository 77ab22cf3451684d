/** The rule type checker: the view's types flow through fields, macros and operators, and mistakes are named. */
import { parse } from "@bufbuild/cel";
import { describe, expect, it } from "vitest";
import { CelTypeError, typeOf } from "../../src/policy/cel-check.ts";
import { ruleVariables, typeName } from "../../src/policy/view-schema.ts";

const check = (expression: string) => {
  try {
    return typeName(typeOf(parse(expression).expr!, ruleVariables("route")));
  } catch (error) {
    if (error instanceof CelTypeError) return `error: ${error.message}`;
    throw error;
  }
};

describe("rule type checker", () => {
  it.each([
    ["route.access.rules", "list(AllowRule)"],
    ["route.access.rules.map(r, r.scopes)", "list(list(string))"],
    ["route.access.rules.filter(r, r.identityType == 'jwt')", "list(AllowRule)"],
    ["route.access.rules.exists(r, 'admin' in r.roles)", "bool"],
    ["gateway.upstreams.exists(u, u.name == route.upstream && !has(u.tls))", "bool"],
    ["has(route.cors) ? route.cors.maxAgeSeconds : 0", "int"],
    ["size(route.methods) + 1", "int"],
    ["{'a': 1}['a']", "int"],
    ["today < '2030-01-01'", "bool"],
  ])("%s is %s", (expression, type) => {
    expect(check(expression)).toBe(type);
  });

  it.each([
    ["route.access.rules.exists(r, r.identty == 'x')", "error: AllowRule has no field 'identty'; did you mean 'identity'?"],
    ["rout.id", "error: unknown name 'rout'; did you mean 'route'?"],
    ["route.id > 1", "error: '>' does not take (string, int)"],
    ["route.methods.exists(m, m)", "error: the condition of exists() or all() must be a bool"],
    ["route.ai.size()", "error: 'size' does not take bool.()"],
    ["route.id.nope()", "error: unknown function 'nope'"],
    ["has(route.id) ? 1 : 'x'", "error: the branches of ?: have different types (int, string)"],
    ["[1, 'x']", "error: a list or map mixes int and string"],
  ])("%s is refused", (expression, message) => {
    expect(check(expression)).toBe(message);
  });
});
