/**
 * SigV4 signatures for Bedrock requests. Envoy sends the request, so the processor signs exactly
 * what Envoy will send: the Host and path of the provider route (the IR's host and path prefix),
 * the body the processor hands over, its content type and length. `aws4` signs synchronously,
 * so an ext_proc answer never waits on a promise for it.
 */
import aws4 from "aws4";
import type { AiAwsSigningIR } from "../../model/ir.ts";

/** Bedrock's signing name (its endpoints are bedrock-runtime.<region>.amazonaws.com). */
const SERVICE = "bedrock";

const reveal = (secret: { reveal(): Uint8Array }) => new TextDecoder().decode(secret.reveal()).trim();

/** The headers that carry the signature (authorization, x-amz-date, x-amz-security-token) and the content headers it covers. */
export function signBedrockRequest(aws: AiAwsSigningIR, path: string, body: string, now: Date = new Date()): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    "x-amz-date": now.toISOString().replace(/[:-]|\.\d{3}/g, ""),
  };
  const sessionToken = aws.sessionToken ? reveal(aws.sessionToken) : undefined;
  if (sessionToken) headers["x-amz-security-token"] = sessionToken;
  const signed = aws4.sign(
    { method: "POST", host: aws.host, path: `${aws.pathPrefix}${path}`, service: SERVICE, region: aws.region, body, headers: { ...headers, host: aws.host } },
    { accessKeyId: reveal(aws.accessKeyId), secretAccessKey: reveal(aws.secretAccessKey), ...(sessionToken ? { sessionToken } : {}) },
  );
  const out = signed.headers as Record<string, string | number>;
  return { ...headers, authorization: String(out["Authorization"] ?? out["authorization"]) };
}
