/**
 * Where a claim sits in a JWT payload: a dotted name is a path into nested objects (Keycloak's
 * `realm_access.roles`); a namespaced claim (`https://shop.example/roles`) is one key.
 */
export function claimPath(name: string): string[] {
  return name.includes("://") ? [name] : name.split(".");
}
