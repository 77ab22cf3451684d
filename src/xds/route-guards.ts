import type { MessageInitShape } from "@bufbuild/protobuf";
import type { RouteSchema } from "../../generated/envoy/config/route/v3/route_components_pb.js";

/**
 * Paths the connection manager's normalization leaves with a dot segment in them: a `.` or `..`
 * segment carrying `;` parameters that arrived percent-encoded (`%2e%2e;`) is decoded but not
 * removed. Tomcat, Jetty and Spring drop `;` parameters and then resolve the `..`, so
 * `/public/%2e%2e;/admin` would reach a protected path on the public route's authority. No API
 * has a reason to send one: refused with 400 before any route or filter sees it.
 */
export const DOT_SEGMENT_GUARD: MessageInitShape<typeof RouteSchema> = {
  name: "dot-segment-with-parameters",
  match: { pathSpecifier: { case: "safeRegex", value: { regex: String.raw`.*/\.\.?;.*` } } },
  action: { case: "directResponse", value: { status: 400, body: { specifier: { case: "inlineString", value: "a path segment of '.' or '..' with ';' parameters is not accepted\n" } } } },
};
