import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ClusterLoadAssignmentSchema } from "../../generated/envoy/config/endpoint/v3/endpoint_pb.js";
import type { ClusterIR } from "../model/ir.ts";

/** The endpoints of a cluster: an EDS resource for IP endpoints, or the inline assignment of a DNS cluster. */
export function loadAssignment(cluster: ClusterIR): MessageInitShape<typeof ClusterLoadAssignmentSchema> {
  return {
    clusterName: cluster.name,
    endpoints: [
      {
        lbEndpoints: cluster.endpoints.map((endpoint) => ({
          hostIdentifier: {
            case: "endpoint" as const,
            value: { address: { address: { case: "socketAddress" as const, value: { address: endpoint.host, portSpecifier: { case: "portValue" as const, value: endpoint.port } } } } },
          },
        })),
      },
    ],
  };
}
