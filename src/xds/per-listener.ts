import type { GatewayIR, ListenerIR } from "../model/ir.ts";

/**
 * A fact about a listener worked out once per IR: the connection manager, the route tables, the
 * access log and the NACK origins of one compile all ask for the same ones.
 */
export function perListener<T>(compute: (ir: GatewayIR, listener: ListenerIR) => T): (ir: GatewayIR, listener: ListenerIR) => T {
  const computed = new WeakMap<GatewayIR, Map<ListenerIR, T>>();
  return (ir, listener) => {
    let byListener = computed.get(ir);
    if (!byListener) computed.set(ir, (byListener = new Map()));
    if (!byListener.has(listener)) byListener.set(listener, compute(ir, listener));
    return byListener.get(listener) as T;
  };
}
