/**
 * The cluster of an AI chain (AiChainIR): one priority per attempt (priority-cluster.ts), each
 * holding the endpoint of the attempt's provider. The chain's route retries with
 * `previous_priorities`, so attempt N+1 goes to priority N+1 whatever provider that is; the
 * processor, as this cluster's upstream filter, translates and signs the request for the attempt
 * the endpoint names.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { ATTEMPT_METADATA_NAMESPACE } from "../ai/routing/attempt-exchange.ts";
import type { GatewayIR } from "../model/ir.ts";
import { upstreamExtProcFilter } from "./filters/ext-proc.ts";
import { priorityCluster } from "./priority-cluster.ts";

/** The clusters of the AI gateway's chains; none without chains. */
export function aiChainClusters(ir: GatewayIR): { name: string; init: MessageInitShape<typeof ClusterSchema> }[] {
  const ai = ir.ai;
  if (!ai || ai.chains.length === 0) return [];
  const providers = new Map(ai.providers.map((provider) => [provider.name, provider.cluster]));
  const clusters = new Map(ir.clusters.map((cluster) => [cluster.name, cluster]));
  const clusterOf = (provider: string) => clusters.get(providers.get(provider)!)!;
  const options = { metadataNamespace: ATTEMPT_METADATA_NAMESPACE, upstreamFilter: upstreamExtProcFilter(ir) };
  return ai.chains.map((chain) => ({ name: chain.name, init: priorityCluster(chain.name, chain.attempts.map((attempt) => ({ name: attempt.provider, cluster: clusterOf(attempt.provider) })), options) }));
}
