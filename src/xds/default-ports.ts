/**
 * The ports Portcullis and the Envoys it bootstraps use unless told otherwise. A module of their
 * own so that `serve`, which only needs the xDS port, does not load the Bootstrap type: its
 * generated descriptors pull in most of Envoy's config protos, ~20 MB of resident memory.
 */
export const DEFAULT_XDS_PORT = 18000;
export const DEFAULT_ENVOY_ADMIN_PORT = 9901;
