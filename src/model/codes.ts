/**
 * Diagnostic codes of the compile stage (resolve and translate). PCL4xxx, never reused for
 * another meaning; the config stage owns PCL1xxx–PCL3xxx (src/config/codes.ts).
 */
export const COMPILE_CODES = {
  PCL4001: "A secret cannot be read",
  PCL4002: "Reference that resolve cannot follow",
  PCL4003: "Provider kind not routable from an API route",
  PCL4004: "Endpoint is not host:port",
  PCL4005: "Duration or date cannot be read",
  PCL4006: "Config does not have the structure the compiler needs",
  PCL4007: "JWKS URL is not https",
  PCL4010: "Identity enforcement not implemented yet: route fails closed",
  PCL4011: "Rate limit key not implemented yet: one shared bucket is used",
  PCL4012: "Deprecated version without a date: no Deprecation header",
  PCL4020: "Committed generated output is missing, differs or has an orphaned file (compile --check)",
} as const;

export type CompileCode = keyof typeof COMPILE_CODES;
