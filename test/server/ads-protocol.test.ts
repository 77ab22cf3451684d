import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { ClusterSchema } from "../../generated/envoy/config/cluster/v3/cluster_pb.js";
import { ScopedRouteConfigurationSchema } from "../../generated/envoy/config/route/v3/scoped_route_pb.js";
import { SecretSchema } from "../../generated/envoy/extensions/transport_sockets/tls/v3/secret_pb.js";
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  SCOPED_ROUTE_CONFIGURATION_TYPE_URL,
  SECRET_TYPE_URL,
} from "../../src/envoy/type-urls.ts";
import { startControlPlane, type ControlPlane } from "../../src/server/control-plane.ts";
import { silentLogger } from "../../src/server/log.ts";
import { deltaStream, sotwStream } from "../support/ads-client.ts";
import { gatewaySnapshot, resourceFromJson } from "../support/snapshots.ts";
import { buildSnapshot } from "../../src/xds/snapshot.ts";

let cp: ControlPlane;
let address: string;
const node = (id: string, cluster = "shop") => ({ id, cluster });
const base = { listenerPort: 10000, routes: [{ path: "/a", cluster: "a" }], clusters: [{ name: "a", port: 9001 }] };
const changed = { ...base, routes: [...base.routes, { path: "/b", cluster: "b" }], clusters: [...base.clusters, { name: "b", port: 9002 }] };

beforeAll(async () => {
  cp = await startControlPlane({ log: silentLogger, processMetrics: false });
  address = `127.0.0.1:${cp.xdsPort}`;
});
afterAll(async () => cp.close());

const clusterNames = (resources: { typeUrl: string; value: Uint8Array }[]) =>
  resources.map((any) => anyUnpack(any as never, ClusterSchema)?.name);

/** Two route scopes (SRDS): Envoy subscribes to scoped route configurations without naming any. */
const scopes = () =>
  buildSnapshot(
    ["orders", "users"].map((key) => resourceFromJson(ScopedRouteConfigurationSchema, `scope-${key}`, { name: `scope-${key}`, route_configuration_name: `routes-${key}`, key: { fragments: [{ string_key: key }] } })),
  );

describe("state-of-the-world ADS", () => {
  it("answers with version and nonce, tells ACK from NACK, does not resend a NACKed version, and pushes changes in order", async () => {
    cp.cache.setSnapshot("shop", gatewaySnapshot(base));
    const stream = sotwStream(address);
    try {
      stream.send({ node: node("sotw-1"), typeUrl: CLUSTER_TYPE_URL });
      const cds = await stream.next();
      expect(cds.typeUrl).toBe(CLUSTER_TYPE_URL);
      expect(cds.versionInfo).not.toBe("");
      expect(cds.nonce).not.toBe("");
      expect(clusterNames(cds.resources)).toEqual(["a"]);

      // NACK: recorded, and nothing is re-sent (the next response is the EDS answer below).
      stream.send({ typeUrl: CLUSTER_TYPE_URL, responseNonce: cds.nonce, errorDetail: { code: 3, message: "bad cluster" } });
      stream.send({ typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, resourceNames: ["a"] });
      const eds = await stream.next();
      expect(eds.typeUrl).toBe(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL);
      expect(eds.resources).toHaveLength(1);
      expect(cp.nodes.get("sotw-1")?.lastNack).toMatchObject({ type: "Cluster", version: cds.versionInfo, message: "bad cluster" });

      stream.send({ typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, resourceNames: ["a"], versionInfo: eds.versionInfo, responseNonce: eds.nonce });
      stream.send({ typeUrl: LISTENER_TYPE_URL });
      const lds = await stream.next();
      expect(lds.typeUrl).toBe(LISTENER_TYPE_URL);
      expect(cp.nodes.get("sotw-1")?.acked["ClusterLoadAssignment"]).toBe(eds.versionInfo);
      stream.send({ typeUrl: LISTENER_TYPE_URL, versionInfo: lds.versionInfo, responseNonce: lds.nonce });
      stream.send({ typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes"] });
      const rds = await stream.next();
      expect(rds.typeUrl).toBe(ROUTE_CONFIGURATION_TYPE_URL);

      // A stale nonce (superseded response) gets no answer even with a new subscription.
      stream.send({ typeUrl: ROUTE_CONFIGURATION_TYPE_URL, resourceNames: ["routes", "other"], responseNonce: "stale" });

      cp.cache.setSnapshot("shop", gatewaySnapshot(changed));
      const pushed = [await stream.next(), await stream.next(), await stream.next()];
      // Listener unchanged (same port and route name) → not pushed; EDS re-sent after the CDS change.
      expect(pushed.map((r) => r.typeUrl)).toEqual([CLUSTER_TYPE_URL, CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL]);
      expect(clusterNames(pushed[0]!.resources)).toEqual(["a", "b"]);
      expect(new Set(pushed.map((r) => r.nonce)).size).toBe(3);
    } finally {
      stream.close();
    }
  });

  it("sends nothing to a node whose cluster names no served gateway, and serves it once that gateway appears", async () => {
    const stream = sotwStream(address);
    try {
      stream.send({ node: node("lost", "nope"), typeUrl: CLUSTER_TYPE_URL });
      const other = sotwStream(address);
      other.send({ node: node("barrier"), typeUrl: CLUSTER_TYPE_URL });
      await other.next();
      other.close();
      expect(stream.responses).toHaveLength(0);
      cp.cache.setSnapshot("nope", gatewaySnapshot(base));
      expect((await stream.next()).typeUrl).toBe(CLUSTER_TYPE_URL);
    } finally {
      stream.close();
    }
  });

  it("takes a first scoped-routes request naming nothing as a subscription to every scope, as Envoy's SRDS sends it", async () => {
    cp.cache.setSnapshot("scoped", scopes());
    const stream = sotwStream(address);
    try {
      stream.send({ node: node("srds-1", "scoped"), typeUrl: SCOPED_ROUTE_CONFIGURATION_TYPE_URL });
      const srds = await stream.next();
      expect(srds.resources.map((any) => anyUnpack(any as never, ScopedRouteConfigurationSchema)?.name)).toEqual(["scope-orders", "scope-users"]);
    } finally {
      stream.close();
    }
  });

  it("sends secrets only by name, never by wildcard", async () => {
    const secret = resourceFromJson(SecretSchema, "backend-ca", { name: "backend-ca", validation_context: { trusted_ca: { inline_string: "x" } } });
    cp.cache.setSnapshot("secure", buildSnapshot([...gatewaySnapshot(base).resources.get(CLUSTER_TYPE_URL)!.values(), secret]));
    const stream = sotwStream(address);
    try {
      stream.send({ node: node("s1", "secure"), typeUrl: SECRET_TYPE_URL, resourceNames: ["*"] });
      expect((await stream.next()).resources).toHaveLength(0);
      stream.send({ typeUrl: SECRET_TYPE_URL, resourceNames: ["backend-ca"], responseNonce: stream.responses[0]!.nonce });
      const named = await stream.next();
      expect(anyUnpack(named.resources[0]! as never, SecretSchema)?.name).toBe("backend-ca");
    } finally {
      stream.close();
    }
  });
  it("answers a wildcard-plus-names Secret request with exactly the names it asked for", async () => {
    const secret = (name: string) => resourceFromJson(SecretSchema, name, { name, validation_context: { trusted_ca: { inline_string: name } } });
    cp.cache.setSnapshot("two-secrets", buildSnapshot([secret("alpha"), secret("beta")]));
    const secretNames = async (id: string, asked: string[]) => {
      const stream = sotwStream(address);
      try {
        stream.send({ node: node(id, "two-secrets"), typeUrl: SECRET_TYPE_URL, resourceNames: asked });
        return (await stream.next()).resources.map((any) => anyUnpack(any as never, SecretSchema)?.name);
      } finally {
        stream.close();
      }
    };
    expect(await secretNames("sa", ["*", "alpha"])).toEqual(["alpha"]);
    // A second node with a different name list must not get the first one's cached answer.
    expect(await secretNames("sb", ["*", "beta"])).toEqual(["beta"]);
  });
});

describe("delta ADS", () => {
  it("sends only changes and removals, and nothing on a reconnect whose versions match", async () => {
    cp.cache.setSnapshot("delta-gw", gatewaySnapshot(changed));
    const first = deltaStream(address);
    const initial: Record<string, string> = {};
    try {
      first.send({ node: node("d1", "delta-gw"), typeUrl: CLUSTER_TYPE_URL });
      const response = await first.next();
      expect(response.resources.map((r) => r.name)).toEqual(["a", "b"]);
      for (const resource of response.resources) initial[resource.name] = resource.version;
      first.send({ typeUrl: CLUSTER_TYPE_URL, responseNonce: response.nonce });

      cp.cache.setSnapshot("delta-gw", gatewaySnapshot(base));
      const removal = await first.next();
      expect(removal.resources).toHaveLength(0);
      expect(removal.removedResources).toEqual(["b"]);
      delete initial["b"];
    } finally {
      first.close();
    }

    const again = deltaStream(address);
    try {
      again.send({ node: node("d1", "delta-gw"), typeUrl: CLUSTER_TYPE_URL, initialResourceVersions: initial });
      again.send({ typeUrl: LISTENER_TYPE_URL });
      // The listener answer comes first: nothing was resent for clusters the node already has.
      expect((await again.next()).typeUrl).toBe(LISTENER_TYPE_URL);
      cp.cache.setSnapshot("delta-gw", gatewaySnapshot(changed));
      const added = await again.next((r) => r.typeUrl === CLUSTER_TYPE_URL);
      expect(added.resources.map((r) => r.name)).toEqual(["b"]);
    } finally {
      again.close();
    }
  });

  it("takes a first scoped-routes request naming nothing as a subscription to every scope", async () => {
    cp.cache.setSnapshot("delta-scoped", scopes());
    const stream = deltaStream(address);
    try {
      stream.send({ node: node("d-srds", "delta-scoped"), typeUrl: SCOPED_ROUTE_CONFIGURATION_TYPE_URL });
      expect((await stream.next()).resources.map((r) => r.name)).toEqual(["scope-orders", "scope-users"]);
    } finally {
      stream.close();
    }
  });

  it("handles named subscribe and unsubscribe", async () => {
    cp.cache.setSnapshot("delta-named", gatewaySnapshot(changed));
    const stream = deltaStream(address);
    try {
      stream.send({ node: node("d2", "delta-named"), typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, resourceNamesSubscribe: ["a"] });
      expect((await stream.next()).resources.map((r) => r.name)).toEqual(["a"]);
      stream.send({ typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, resourceNamesSubscribe: ["b"], resourceNamesUnsubscribe: ["a"] });
      expect((await stream.next()).resources.map((r) => r.name)).toEqual(["b"]);
    } finally {
      stream.close();
    }
  });
});
