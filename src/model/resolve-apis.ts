/**
 * The APIs as declared, drafts included, for the policy engine's governance rules: owner, documents,
 * each version's lifecycle dates as written, its default access and the routes it lists, and the
 * routes outside every version. The routes Envoy serves are resolved separately (resolve-routes.ts);
 * this is what they are cut from.
 */
import { isFrozenConfig } from "../config/frozen-config.ts";
import type { Api, GatewayConfig } from "../config/types.ts";
import type { ApiIR } from "./ir.ts";
import { Reporter } from "./report.ts";
import { resolveAccess, type AccessInputs } from "./resolve-access.ts";
import { routeNames } from "./resolve-routes.ts";

// A frozen API's IR, while it sits at the same index and the identities its access names are the same section.
const remembered = new WeakMap<object, { readonly index: number; readonly identities: object; readonly consumerHeader: string; readonly ir: ApiIR }>();

/** `inputs.report` is not used: the routes that inherit a version's access report its mistakes. */
export function resolveApis(config: GatewayConfig, inputs: AccessInputs): ApiIR[] {
  const silent = { ...inputs, report: new Reporter("") };
  return (config.apis ?? []).map((api, index) => {
    const known = isFrozenConfig(api) ? remembered.get(api) : undefined;
    if (known && known.index === index && known.identities === inputs.identities && known.consumerHeader === inputs.consumerHeader) return known.ir;
    const ir = resolveApi(api, index, silent);
    if (isFrozenConfig(api)) remembered.set(api, { index, identities: inputs.identities, consumerHeader: inputs.consumerHeader, ir });
    return ir;
  });
}

function resolveApi(api: Api, index: number, silent: AccessInputs): ApiIR {
  return {
    name: api.name,
    index,
    owner: api.owner,
    ...(api.description !== undefined ? { description: api.description } : {}),
    ...(api.openapi !== undefined ? { openapi: api.openapi } : {}),
    versions: Object.keys(api.versions ?? {})
      .sort()
      .map((name) => {
        const version = api.versions[name]!;
        return {
          name,
          state: version.state,
          ...(version.deprecatedOn !== undefined ? { deprecatedOn: version.deprecatedOn } : {}),
          ...(version.sunset !== undefined ? { sunset: version.sunset } : {}),
          ...(version.successor !== undefined ? { successor: version.successor } : {}),
          ...(version.access ? { access: resolveAccess(version.access, silent, ["apis", index, "versions", name, "access"]) } : {}),
          routes: routeNames(version.routes ?? []),
        };
      }),
    ...(api.unversioned
      ? {
          unversioned: {
            ...(api.unversioned.access ? { access: resolveAccess(api.unversioned.access, silent, ["apis", index, "unversioned", "access"]) } : {}),
            routes: routeNames(api.unversioned.routes ?? []),
          },
        }
      : {}),
  };
}
