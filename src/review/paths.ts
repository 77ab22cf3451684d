/**
 * Where the things a change is about are written in the new config: the same config paths the
 * policy engine places its findings at (src/policy/view.ts), so a diff's annotation and a policy
 * finding about one route land on the same line. A thing that is gone is placed at its closest
 * surviving parent.
 */
import type { ModelPath } from "../config/locate.ts";
import type { GatewayIR } from "../model/ir.ts";
import { buildView } from "../policy/view.ts";

export interface ConfigPaths {
  /** A route by id: where it is written and where the access it has is written (its own, or its version's). */
  route(id: string): { readonly path: ModelPath; readonly accessPath: ModelPath } | undefined;
  /** An API version, or its API, or the list of APIs. */
  version(api: string, version?: string): ModelPath;
  /** The provider, key set or processor a cluster comes from. */
  upstream(cluster: string): ModelPath;
  listener(name: string): ModelPath;
  /** An identity (where it would be written: locating an absent one finds `identities`). */
  identity(name: string): ModelPath;
}

export function configPaths(ir: GatewayIR): ConfigPaths {
  const subjects = buildView(ir).subjects;
  const byTarget = new Map(subjects.map((subject) => [subject.target, subject]));
  // The view lists route subjects in the IR's route order.
  const routeSubjects = subjects.filter((subject) => subject.kind === "route");
  const routes = new Map(ir.routes.map((route, index) => [route.id, routeSubjects[index]!]));
  const named = (kind: string, name: string) => subjects.find((subject) => subject.kind === kind && subject.value["name"] === name)?.path;
  return {
    route(id) {
      const subject = routes.get(id);
      return subject ? { path: subject.path, accessPath: subject.accessPath ?? subject.path } : undefined;
    },
    version(api, version) {
      return (version !== undefined ? byTarget.get(`apis.${api}.versions.${version}`)?.path : undefined) ?? byTarget.get(`apis.${api}`)?.path ?? ["apis"];
    },
    upstream: (cluster) => named("upstream", cluster) ?? ["providers"],
    listener: (name) => named("listener", name) ?? ["gateway", "listeners"],
    // Locating falls back to the closest written parent, so a removed identity lands on `identities`.
    identity: (name) => ["identities", name],
  };
}
