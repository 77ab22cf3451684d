/** The access section: access granted by a reviewed change, each grant with who asked, who approved, why and until when. */

export interface AccessSettings {
  /**
   * Access to an API version (or some of its routes) granted to a consumer, a team or a token
   * subject. A grant adds an allow rule to the routes it names until `expires`; at that instant
   * `serve` recompiles and pushes the config without the grant, with no edit needed. An expired
   * grant is reported so that it gets removed.
   */
  grants?: AccessGrant[];
}

export interface AccessGrant {
  /** Who receives access. */
  to: GrantToConsumer | GrantToTeam | GrantToSubject;
  /** The API, by name. */
  api: string;
  /** The API version, e.g. `v2`. */
  version: string;
  /**
   * Route names of the version; by default every route. Public routes need no grant and stay as
   * they are.
   * @minItems 1
   */
  routes?: string[];
  /**
   * Who asked for the access (a person or a team).
   * @minLength 1
   */
  requester: string;
  /**
   * Who approved it; never the requester.
   * @minLength 1
   */
  approver: string;
  /**
   * Why the access is needed.
   * @minLength 10
   */
  reason: string;
  /**
   * The instant the grant stops working: an RFC 3339 time with its offset, e.g.
   * `2027-03-31T18:00:00Z` or `2027-03-31T18:00:00+01:00`.
   * @pattern ^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$
   * @example "2027-03-31T18:00:00Z"
   */
  expires: string;
}

export interface GrantToConsumer {
  /** An API-key consumer, by name (from an `apiKey` identity). */
  consumer: string;
}

export interface GrantToTeam {
  /** A team: every API-key consumer whose `team` it is. */
  team: string;
}

export interface GrantToSubject {
  /** A JWT identity, by name. */
  identity: string;
  /** The `sub` claim of the tokens that get access, e.g. a service account. */
  subject: string;
}
