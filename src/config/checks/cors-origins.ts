import { finding } from "../finding.ts";
import type { Check } from "./context.ts";
import { NO_INPUTS, routeLocal } from "./walk.ts";

/**
 * An Origin header is `scheme://host[:port]`, nothing more (RFC 6454), and Envoy compares it with
 * the configured origin as written. A path, a trailing '/', a space or a second wildcard makes an
 * origin that no browser ever sends.
 */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/(?:\*\.)?(?:\[[0-9a-f:.]+\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*)(?::\d{1,5})?$/i;

/** CORS origins are in the form browsers send, so each one can match. */
export const checkCorsOrigins: Check = routeLocal(NO_INPUTS, (group, _config, context) =>
  group.routes.flatMap(({ route, path }) =>
    (route.cors?.origins ?? []).flatMap((origin, index) => {
      if (origin === "*" || ORIGIN.test(origin)) return [];
      const trimmed = origin.trim().replace(/\/+$/, "");
      return [finding(context.place, "PCL3036", `CORS origin ${JSON.stringify(origin)} is not scheme://host[:port], so no browser request would match it`, [...path, "cors", "origins", index], {
        hint: `${trimmed !== origin && ORIGIN.test(trimmed) ? `did you mean '${trimmed}'? ` : ""}write an origin without path or trailing '/', e.g. "https://app.example.com" or "https://*.example.com"`,
      })];
    })));
