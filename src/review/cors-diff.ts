/** CORS loosened on a route: CORS turned on, origins or methods added, credentials allowed. */
import type { CorsIR, GatewayIR } from "../model/ir.ts";
import { type Change, change } from "./change.ts";
import type { ConfigPaths } from "./paths.ts";
import { missingFrom, routeWords } from "./words.ts";

/** What a CORS change lets browsers do that they could not before. */
function corsLoosening(was: CorsIR | undefined, now: CorsIR | undefined): string[] {
  if (!now) return [];
  if (!was) return [`CORS enabled for ${now.origins.join(", ")}${now.credentials ? " with credentials" : ""}`];
  return [
    ...missingFrom(now.origins, was.origins).map((origin) => `CORS now admits origin ${origin}${origin === "*" ? " (any site)" : ""}`),
    ...(now.credentials && !was.credentials ? ["CORS now allows credentials (cookies, authorization) from the admitted origins"] : []),
    ...(missingFrom(now.methods, was.methods).length ? [`CORS now admits methods ${missingFrom(now.methods, was.methods).join(", ")}`] : []),
  ];
}

export function corsChanges(before: GatewayIR, after: GatewayIR, paths: ConfigPaths): Change[] {
  const old = new Map(before.routes.map((route) => [route.id, route]));
  return after.routes.flatMap((route) => {
    const was = old.get(route.id);
    const at = [...(paths.route(route.id)?.path ?? paths.version(route.api, route.version)), "cors"];
    return was ? corsLoosening(was.cors, route.cors).map((words) => change("security", "loosens", "cors.loosened", `${routeWords(route)}: ${words}`, at)) : [];
  });
}
