/** Errors in the shape the OpenAI API and its clients use, whatever provider (or the gateway) raised them. */

export type OpenAiErrorType = "invalid_request_error" | "authentication_error" | "permission_error" | "not_found_error" | "rate_limit_error" | "server_error" | "api_error";

export interface OpenAiError {
  readonly status: number;
  readonly message: string;
  readonly type: OpenAiErrorType;
  readonly param?: string;
  readonly code?: string;
}

/** The JSON body of an error: `{"error": {"message", "type", "param", "code"}}`. */
export function errorBody(error: OpenAiError): string {
  return JSON.stringify({ error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code ?? null } });
}

export const invalidRequest = (message: string, param?: string, code?: string): OpenAiError => ({
  status: 400,
  message,
  type: "invalid_request_error",
  ...(param ? { param } : {}),
  ...(code ? { code } : {}),
});

/** Whether a translation step's result is the OpenAI error it refused with (an error object, not a value it produced). */
export const isOpenAiError = (value: unknown): value is OpenAiError => typeof value === "object" && value !== null && "status" in value && "type" in value;

/** The error type OpenAI uses for a status, for provider errors that carry none we can map. */
export function typeForStatus(status: number): OpenAiErrorType {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** An OpenAI-style request body: a JSON object that names a model, or the error OpenAI answers for one that is not. */
export function modelRequest(body: Uint8Array): { readonly error: OpenAiError } | { readonly request: Readonly<Record<string, unknown>> & { readonly model: string } } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return { error: invalidRequest("We could not parse the JSON body of your request. The body must be JSON.") };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { error: invalidRequest("The request body must be a JSON object.") };
  const request = parsed as Record<string, unknown>;
  if (typeof request["model"] !== "string" || request["model"] === "") return { error: invalidRequest("You must provide a model parameter.", "model") };
  return { request: request as Record<string, unknown> & { readonly model: string } };
}
