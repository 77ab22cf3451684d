/** Full route paths: version prefix + base path + the route's own path. */

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, "");
}

/**
 * Joins path pieces so there is exactly one slash between them and none at the end
 * (`/` alone stays `/`): `["/v1", "/orders", "/"]` → `/v1/orders`, `[..., "/{id}"]` → `/v1/orders/{id}`.
 */
export function joinPath(...pieces: string[]): string {
  const joined = pieces
    .map((piece) => trimSlashes(piece))
    .filter((piece) => piece !== "")
    .map((piece) => (piece.startsWith("/") ? piece : `/${piece}`))
    .join("");
  return joined === "" ? "/" : joined;
}

/** A route name derived from its match, e.g. `get-orders-id`, within the `^[a-z][a-z0-9-]{0,62}$` pattern. */
export function deriveRouteName(methods: readonly string[], path: string): string {
  const words = `${methods.join("-")}-${path}`.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  const name = /^[a-z]/.test(words) ? words : `route-${words}`.replace(/-+$/, "");
  return name.slice(0, 63).replace(/-+$/, "");
}
