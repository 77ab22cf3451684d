/**
 * The tool rules of MCP endpoint routes (and prompt and resource rules, when written), decided by a
 * second RBAC filter that runs after Envoy's mcp filter has parsed the body: a `tools/call` is let
 * through only when the first tool rule whose pattern matches `params.name` admits the caller, a
 * `prompts/get` the same by prompt rules, a `resources/read` (or subscribe) by resource rules on
 * `params.uri`; every other MCP method passes (the API's own access rules, the first RBAC filter,
 * already admitted the caller). A refused use is answered with a JSON-RPC error
 * (mcp-local-replies.ts) and never reaches the server.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type PermissionSchema, type PrincipalSchema, RBAC_Action } from "../../generated/envoy/config/rbac/v3/rbac_pb.js";
import { RBACPerRouteSchema, RBACSchema } from "../../generated/envoy/extensions/filters/http/rbac/v3/rbac_pb.js";
import type { StringMatcherSchema } from "../../generated/envoy/type/matcher/v3/string_pb.js";
import type { GatewayIR, McpRuleIR, RouteIR } from "../model/ir.ts";
import { MCP_RULED, MCP_RULED_KINDS, type McpRuledKind } from "../model/mcp-ruled.ts";
import type { HttpFilterModule } from "./filters/http-filter.ts";
import { rulePrincipal, withoutCriticalExtensions } from "./filters/rbac-principals.ts";
import { MCP_FILTER } from "./mcp-filter.ts";
import { escapeRegex, packed, sortedRecord, typedExtension } from "./proto.ts";
import { isMcpEndpoint, someRoute } from "../model/route-counts.ts";

/** A name of its own: the first RBAC filter keeps `envoy.filters.http.rbac` (and its per-route config). */
export const MCP_TOOL_RBAC_FILTER = "envoy.filters.http.rbac.mcp_tools";

type Permission = MessageInitShape<typeof PermissionSchema>;
type Principal = MessageInitShape<typeof PrincipalSchema>;
type StringMatch = MessageInitShape<typeof StringMatcherSchema>;

/** `search_*` → a regex over the whole name; a name without `*` matches exactly. */
export function toolNameMatcher(pattern: string): StringMatch {
  if (!pattern.includes("*")) return { matchPattern: { case: "exact", value: pattern } };
  return { matchPattern: { case: "safeRegex", value: { regex: `^${pattern.split("*").map(escapeRegex).join(".*")}$` } } };
}

function mcpMetadata(path: readonly string[], value: StringMatch): Permission {
  const metadataMatcher = { filter: MCP_FILTER, path: path.map((key) => ({ segment: { case: "key" as const, value: key } })), value: { matchPattern: { case: "stringMatch" as const, value } } };
  return { rule: { case: "sourcedMetadata", value: { metadataMatcher } } };
}

const anyOf = (rules: Permission[]): Permission => (rules.length === 1 ? rules[0]! : { rule: { case: "orRules", value: { rules } } });
const not = (rule: Permission): Permission => ({ rule: { case: "notRule", value: rule } });
/** The request uses one thing of this kind (tools/call; prompts/get; resources/read, subscribe, unsubscribe). */
const usesOf = (kind: McpRuledKind) => anyOf(MCP_RULED[kind].uses.map((method) => mcpMetadata(["method"], { matchPattern: { case: "exact", value: method } })));
const nameIs = (kind: McpRuledKind, pattern: string) => mcpMetadata(["params", MCP_RULED[kind].param], toolNameMatcher(pattern));
const ANY: Principal = { identifier: { case: "any", value: true } };

/** Who a rule admits: anyone for `public`, the rules' principals otherwise (none for `deny`). */
function principals(rule: McpRuleIR): Principal[] {
  const access = rule.access;
  if (access.kind === "public") return [ANY];
  if (access.kind === "deny") return [];
  return access.rules.flatMap((allow) => {
    const principal = rulePrincipal(allow);
    if (!principal) return [];
    return [allow.identityType === "jwt" && allow.identity ? withoutCriticalExtensions(allow.identity, [principal]) : principal];
  });
}

/** First match decides: rule i covers the names its pattern matches and no earlier rule's does. */
function rulePolicies(kind: McpRuledKind, rules: readonly McpRuleIR[]) {
  return rules.flatMap((rule, index) => {
    const admitted = principals(rule);
    if (admitted.length === 0) return [];
    const earlier = rules.slice(0, index).map((other) => nameIs(kind, other.pattern));
    const permissions: Permission[] = [usesOf(kind), nameIs(kind, rule.pattern), ...(earlier.length > 0 ? [not(anyOf(earlier))] : [])];
    const policy = { permissions: [{ rule: { case: "andRules" as const, value: { rules: permissions } } }], principals: admitted };
    return [[`${kind}[${index}]`, policy] as const];
  });
}

function perRoute(route: RouteIR) {
  const mcp = route.mcp;
  if (!mcp) return undefined;
  const ruled = MCP_RULED_KINDS.filter((kind) => mcp[kind] !== undefined);
  // Whatever no rules govern passes: the API's own access rules, the first RBAC filter, already admitted the caller.
  const otherMethods = { permissions: [not(anyOf(ruled.map(usesOf)))], principals: [ANY] };
  const policies = sortedRecord<{ permissions: Permission[]; principals: Principal[] }>([["methods", otherMethods], ...ruled.flatMap((kind) => rulePolicies(kind, mcp[kind]!))]);
  return packed(RBACPerRouteSchema, { rbac: { rules: { action: RBAC_Action.ALLOW, policies } } });
}

export const mcpToolRbacFilter: HttpFilterModule = {
  name: MCP_TOOL_RBAC_FILTER,
  chainEntry: (ir: GatewayIR) => (someRoute(ir.routes, isMcpEndpoint) ? { ...typedExtension(MCP_TOOL_RBAC_FILTER, RBACSchema, {}), disabled: true } : undefined),
  perRoute,
};
