/** A gateway whose orders API admits nobody by itself: access comes from `access.grants` only. */
export interface GrantsConfigOptions {
  readonly listenerPort?: number;
  readonly backendPort?: number;
  /** YAML list items under access.grants, already indented by 4 spaces. */
  readonly grants: string;
  /** Leave out the JWT identity (its remote JWKS is not reachable where Envoy runs). */
  readonly withoutStaff?: boolean;
}

export function grantsConfig(options: GrantsConfigOptions): string {
  return `gateway:
  name: granted
  listeners:
    - { name: local, address: 127.0.0.1, port: ${options.listenerPort ?? 18080}, hostnames: ["127.0.0.1"] }
identities:
  partners:
    type: apiKey
    from: { header: x-api-key }
    consumers:
      - { name: acme, team: payments, keys: { env: ACME_KEYS } }
      - { name: globex, team: payments, keys: { env: GLOBEX_KEYS } }
      - { name: initech, keys: { env: INITECH_KEYS } }
${
  options.withoutStaff
    ? ""
    : `  staff:
    type: jwt
    issuer: https://auth.test
    audiences: [orders]
    jwks: { url: "https://auth.test/jwks.json" }
`
}providers:
  orders: { type: service, endpoints: ["127.0.0.1:${options.backendPort ?? 18081}"], plaintext: { reason: test backend on loopback } }
apis:
  - name: orders
    owner: team-orders
    description: Orders, open to partners only by grant.
    basePath: /orders
    versions:
      v2:
        state: published
        routes:
          - { name: list, match: { path: /, methods: [GET] }, provider: orders }
          - { name: create, match: { path: /, methods: [POST] }, provider: orders }
access:
  grants:
${options.grants}
`;
}

export const grant = (fields: Record<string, string>) =>
  `    - ${Object.entries(fields)
      .map(([key, value]) => `${key}: ${value}`)
      .join("\n      ")}`;
