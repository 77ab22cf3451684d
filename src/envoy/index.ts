export { envoyRegistry, messageSchema } from "./registry.ts";
export { knownTypes } from "./known-types.ts";
export { isPacked, pack, typeNameOfUrl, typeUrl, TYPE_URL_PREFIX, unpack } from "./any.ts";
export type { Any } from "./any.ts";
export { fromBinary, fromEnvoyJson, toBinary, toEnvoyJson, toEnvoyJsonString } from "./encode.ts";
export type { EnvoyJsonOptions } from "./encode.ts";
export * from "./type-urls.ts";
