/**
 * Who made an AI request, as the gateway verified it: the identity headers Envoy set after
 * authentication (a client's own copies are removed on arrival), and the consumer's team from the
 * config. Budgets are charged to it and usage is recorded under it.
 */
import type { AiGatewayRuntime } from "./gateways.ts";

export interface Caller {
  readonly requestId: string;
  readonly identity?: string;
  readonly subject?: string;
  readonly consumer?: string;
  readonly team?: string;
}

export function callerOf(headers: ReadonlyMap<string, string>, runtime: AiGatewayRuntime): Caller {
  const names = runtime.identityHeaders;
  const optional = (key: keyof Omit<Caller, "requestId" | "team">, header: string) => (headers.get(header) ? { [key]: headers.get(header) } : {});
  const consumer = headers.get(names.consumer);
  const team = consumer ? runtime.teams.get(consumer) : undefined;
  return {
    requestId: headers.get("x-request-id") ?? "",
    ...optional("identity", names.identity),
    ...optional("subject", names.subject),
    ...optional("consumer", names.consumer),
    ...(team ? { team } : {}),
  };
}
