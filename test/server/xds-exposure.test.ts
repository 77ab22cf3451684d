/**
 * Safe network defaults: xDS in plaintext beyond loopback is refused unless asked for, and even
 * then no Secret (TLS private keys) goes over a plaintext stream to a peer on another host.
 */
import { networkInterfaces } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { SecretSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/secret_pb.js";
import { CLUSTER_TYPE_URL, SECRET_TYPE_URL } from "../../src/envoy/type-urls.ts";
import { UserError } from "../../src/errors.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { isLoopbackHost, isLoopbackPeer, peerAddress } from "../../src/server/peer-address.ts";
import { buildSnapshot } from "../../src/xds/snapshot.ts";
import { sotwStream } from "../support/ads-client.ts";
import { gatewaySnapshot, resourceFromJson } from "../support/snapshots.ts";

const secret = resourceFromJson(SecretSchema, "listener-web-cert", { name: "listener-web-cert", validation_context: { trusted_ca: { inline_string: "not really a CA" } } });
const gateway = buildSnapshot([...gatewaySnapshot({ listenerPort: 10000, routes: [], clusters: [{ name: "a", port: 9001 }] }).resources.get(CLUSTER_TYPE_URL)!.values(), secret]);

/** An IPv4 address of this machine that is not loopback, if it has one. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === "IPv4" && !address.internal)?.address;

const planes: ControlPlane[] = [];
afterAll(async () => Promise.all(planes.map((plane) => plane.close())));

/** The Secret names a node gets for one named request; a CDS request after it is the barrier (requests are handled in order). */
async function secretsFor(address: string, nodeId: string): Promise<string[]> {
  const stream = sotwStream(address);
  try {
    stream.send({ node: { id: nodeId, cluster: "shop" }, typeUrl: SECRET_TYPE_URL, resourceNames: ["listener-web-cert"] });
    stream.send({ typeUrl: CLUSTER_TYPE_URL });
    await stream.next((response) => response.typeUrl === CLUSTER_TYPE_URL);
    return stream.responses.filter((r) => r.typeUrl === SECRET_TYPE_URL).flatMap((r) => r.resources.map((any) => anyUnpack(any as never, SecretSchema)?.name ?? ""));
  } finally {
    stream.close();
  }
}

describe("which peers are on loopback", () => {
  it("reads grpc-js peer strings (address:port, IPv6 without brackets)", () => {
    expect(peerAddress("127.0.0.1:50123")).toBe("127.0.0.1");
    expect(peerAddress("::1:50123")).toBe("::1");
    expect(peerAddress("::ffff:10.1.2.3:443")).toBe("::ffff:10.1.2.3");
    expect(peerAddress("unknown")).toBe("unknown");
    for (const peer of ["127.0.0.1:1", "127.8.9.10:2", "::1:3", "::ffff:127.0.0.1:4", "0:0:0:0:0:0:0:1:5"]) expect(isLoopbackPeer(peer), peer).toBe(true);
    for (const peer of ["10.0.0.5:1", "192.0.2.2:2", "fd00::2:3", "::ffff:10.0.0.1:4", "::2:5", "unknown", "128.0.0.1:6"]) expect(isLoopbackPeer(peer), peer).toBe(false);
  });

  it("tells loopback bind hosts from the rest", () => {
    for (const host of ["127.0.0.1", "localhost", "::1", "[::1]"]) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "192.0.2.2", "example.com"]) expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe("plaintext xDS beyond loopback", () => {
  it("is refused without mTLS or --insecure-xds, before anything listens", async () => {
    await expect(startControlPlane({ host: "0.0.0.0", adminPort: null, log: silentLogger, processMetrics: false })).rejects.toThrow(UserError);
    await expect(startControlPlane({ host: "0.0.0.0", adminPort: null, log: silentLogger, processMetrics: false })).rejects.toThrow(/refusing to serve xDS on 0\.0\.0\.0 without mTLS/);
  });

  it("sends Secrets to loopback peers", async () => {
    const plane = await startControlPlane({ log: silentLogger, processMetrics: false });
    planes.push(plane);
    plane.cache.setSnapshot("shop", gateway);
    expect(await secretsFor(`127.0.0.1:${plane.xdsPort}`, "local")).toEqual(["listener-web-cert"]);
    expect(plane.nodes.get("local")?.secretsWithheld).toBeUndefined();
  });

  it.skipIf(!external)("with --insecure-xds, serves a peer on another address everything but Secrets, and says so on /status", async () => {
    const plane = await startControlPlane({ host: external!, insecureXds: true, log: silentLogger, processMetrics: false });
    planes.push(plane);
    plane.cache.setSnapshot("shop", gateway);
    // Connecting to the machine's own non-loopback address makes the peer address that one too.
    expect(await secretsFor(`${external}:${plane.xdsPort}`, "remote")).toEqual([]);
    expect(plane.nodes.get("remote")).toMatchObject({ peer: expect.stringContaining(external!), secretsWithheld: expect.stringMatching(/plaintext xDS stream from another host/) });
    const status = (await (await fetch(`http://127.0.0.1:${plane.adminPort}/status`)).json()) as { xds: { mtls: boolean; warning?: string } };
    expect(status.xds).toMatchObject({ host: external, mtls: false, warning: expect.stringMatching(/--insecure-xds/) });
  });
});
