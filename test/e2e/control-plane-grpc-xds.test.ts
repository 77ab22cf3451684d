/**
 * A second, independent xDS client: @grpc/grpc-js-xds resolves `xds:///echo` through our server
 * (listener → routes → cluster → endpoints) and makes a real gRPC call to a test gRPC server.
 */
import { Server, ServerCredentials, credentials, makeGenericClientConstructor, type ServiceError, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { buildSnapshot } from "../../src/xds/snapshot.ts";
import { apiListenerResource, clusterResource, endpointsResource, routeConfigResource } from "../support/snapshots.ts";

const echoService = {
  Say: {
    path: "/portcullis.test.Echo/Say",
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (value: Buffer) => value,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (value: Buffer) => value,
  },
};

let cp: ControlPlane;
let echo: Server;

beforeAll(async () => {
  echo = new Server();
  echo.addService(echoService, {
    Say: (call: { request: Buffer }, callback: (error: null, reply: Buffer) => void) => callback(null, Buffer.concat([Buffer.from("echo:"), call.request])),
  } as unknown as UntypedServiceImplementation);
  const echoPort = await new Promise<number>((resolve, reject) =>
    echo.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  );
  cp = await startControlPlane({ log: silentLogger, processMetrics: false });
  cp.cache.setSnapshot(
    "grpc-mesh",
    buildSnapshot([
      apiListenerResource("echo", "echo-routes"),
      routeConfigResource("echo-routes", [{ path: "/portcullis.test.Echo/Say", cluster: "echo-backend" }]),
      clusterResource("echo-backend"),
      endpointsResource("echo-backend", echoPort),
    ]),
  );
  process.env["GRPC_XDS_BOOTSTRAP_CONFIG"] = JSON.stringify({
    xds_servers: [{ server_uri: `127.0.0.1:${cp.xdsPort}`, channel_creds: [{ type: "insecure" }], server_features: ["xds_v3"] }],
    node: { id: "grpc-client-1", cluster: "grpc-mesh", locality: {} },
  });
  (await import("@grpc/grpc-js-xds")).register();
});

afterAll(async () => {
  await cp.close();
  echo.forceShutdown();
});

it("resolves an xds:/// target through the control plane and calls the gRPC server", async () => {
  const Client = makeGenericClientConstructor(echoService, "Echo");
  const client = new Client("xds:///echo", credentials.createInsecure());
  try {
    const reply = await new Promise<Buffer>((resolve, reject) =>
      (client as unknown as { Say: (req: Buffer, opts: object, cb: (e: ServiceError | null, r: Buffer) => void) => void }).Say(
        Buffer.from("hi"),
        { deadline: Date.now() + 15_000 },
        (error, response) => (error ? reject(error) : resolve(response)),
      ),
    );
    expect(reply.toString()).toBe("echo:hi");
  } finally {
    client.close();
  }
  expect(cp.nodes.get("grpc-client-1")?.acked).toMatchObject({
    Listener: expect.any(String),
    RouteConfiguration: expect.any(String),
    Cluster: expect.any(String),
    ClusterLoadAssignment: expect.any(String),
  });
});
