/**
 * A protobuf-es registry of the whole generated Envoy API (every file in generated/, i.e. the
 * Envoy packages selected in scripts/gen-envoy.mjs plus xds/udpa, validate, googleapis,
 * opentelemetry and cel) and the google.protobuf well-known types.
 *
 * It is what makes `google.protobuf.Any` work for every Envoy extension type: JSON with `@type`,
 * unpacking by type URL, and resolving schemas from type names. Loading all of generated/ costs
 * about 100 MB and a second, so only tests and tools import it: compile, serve and up use the
 * types Portcullis packs (known-types.ts), and code that needs any Envoy type passes this one as
 * the `registry` option of toEnvoyJson, fromEnvoyJson or unpack.
 *
 * The list of files is generated (generated/registry.js), so regenerating the API keeps it
 * complete without edits here.
 */
import { createRegistry } from "@bufbuild/protobuf";
import type { DescMessage, Registry } from "@bufbuild/protobuf";
import {
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_descriptor,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import { allFiles } from "../../generated/registry.js";

/** The well-known types that generated/ imports from @bufbuild/protobuf/wkt instead of generating. */
const wellKnownFiles = [
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_descriptor,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
] as const;

/** Every message, enum, extension and service of the generated Envoy API and the WKTs. */
export const envoyRegistry: Registry = createRegistry(...wellKnownFiles, ...allFiles);

/** The message schema for a fully-qualified type name or a type URL (`type.googleapis.com/<name>`). */
export function messageSchema(typeNameOrUrl: string): DescMessage | undefined {
  const slash = typeNameOrUrl.lastIndexOf("/");
  return envoyRegistry.getMessage(slash === -1 ? typeNameOrUrl : typeNameOrUrl.slice(slash + 1));
}
