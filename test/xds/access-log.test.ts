import { describe, expect, it } from "vitest";
import { StdoutAccessLogSchema } from "../../generated/envoy/extensions/access_loggers/stream/v3/stream_pb.js";
import { unpack } from "../../src/envoy/any.ts";
import { DEFAULT_IDENTITY_HEADERS } from "../../src/model/identity-headers.ts";
import { accessLog } from "../../src/xds/access-log.ts";

/** The JSON fields of the access log Envoy is given. */
function fields(redactHeaders: readonly string[]): Record<string, unknown> {
  const entry = accessLog({ destination: "stdout", redactHeaders }, DEFAULT_IDENTITY_HEADERS, "ROUTE");
  const config = unpack(entry.configType.value) as ReturnType<typeof unpack> & { $typeName: string };
  expect(config.$typeName).toBe(StdoutAccessLogSchema.typeName);
  const format = (config as unknown as { accessLogFormat: { value: { format: { value: Record<string, unknown> } } } }).accessLogFormat.value.format.value;
  return format;
}

describe("access log fields", () => {
  it("copy the request id, host, user agent and the gateway's identity headers, and nothing else a client sent", () => {
    const copied = Object.entries(fields([])).filter(([, value]) => String(value).startsWith("%REQ(")).map(([name]) => name).sort();
    expect(copied).toEqual(["authority", "consumer", "method", "request_id", "subject", "user_agent"]);
  });

  it("leave out every field that copies a header named in audit.redactHeaders (Host is the authority)", () => {
    const kept = fields(["user-agent", "host", "x-portcullis-subject", "x-not-logged"]);
    expect(kept).not.toHaveProperty("user_agent");
    expect(kept).not.toHaveProperty("authority");
    expect(kept).not.toHaveProperty("subject");
    expect(kept).toHaveProperty("consumer");
    expect(kept).toHaveProperty("status");
  });
});
