/**
 * Request headers the gateway itself sets (identity for upstreams). A client could send its own
 * copy to impersonate someone, so the connection manager removes them from client requests
 * before any filter runs (client-header-removal.ts).
 */
export const GATEWAY_SET_REQUEST_HEADERS: readonly string[] = [
  "x-portcullis-consumer",
  "x-portcullis-groups",
  "x-portcullis-identity",
  "x-portcullis-roles",
  "x-portcullis-scopes",
  "x-portcullis-subject",
  "x-portcullis-team",
];

/** The verified API-key consumer: set by api_key_auth, read by the access rules and the upstream. */
export const CONSUMER_HEADER = "x-portcullis-consumer";

/** Route metadata namespace read by access logs and later filters. */
export const METADATA_NAMESPACE = "portcullis";
