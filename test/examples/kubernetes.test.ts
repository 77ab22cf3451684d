/**
 * examples/kubernetes: every YAML document parses and passes the Kubernetes API's schema; the
 * objects fit together (selectors, probe ports, volumes, the xDS address and certificates); the
 * gateway config in the ConfigMap compiles; the bootstrap ConfigMap is what the README's
 * `portcullis bootstrap` command makes and passes real `envoy --mode validate`; and the control
 * plane, run with the Deployment's own flags, serves a real Envoy started from that bootstrap over
 * mTLS with the certificates make-xds-certs.sh makes, traffic included.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { compileGatewayFile } from "../../src/compile.ts";
import { validateBootstrap } from "../../src/envoy/binary.ts";
import { startBackend, type TestBackend } from "../support/backend.ts";
import { runCommand } from "../support/cli-process.ts";
import { startEnvoy, stopAllEnvoys } from "../support/envoy.ts";
import { eventually } from "../support/http-load.ts";
import { freePorts } from "../support/ports.ts";
import { rawExchange } from "../support/raw-http.ts";
import { startServe, type ServeProcess } from "../support/serve-process.ts";
import { byKind, containers, EXAMPLE_DIR, flag, loadManifests, named, probes, schemaError, selects, unknownFields, yamlFiles } from "./kubernetes-manifests.ts";

const manifests = loadManifests();
const readme = await readFile(join(EXAMPLE_DIR, "README.md"), "utf8");
const deployments = byKind(manifests, "Deployment");
const serveContainer = containers(named(manifests, "Deployment", "portcullis-serve"))[0]!;
const envoyContainer = containers(named(manifests, "Deployment", "envoy"))[0]!;
const gatewayYaml = named(manifests, "ConfigMap", "portcullis-config").data!["gateway.yaml"]!;
const bootstrapJson = named(manifests, "ConfigMap", "envoy-bootstrap").data!["envoy.json"]!;
// biome-ignore lint/suspicious/noExplicitAny: Envoy's bootstrap JSON, read field by field
const bootstrap = JSON.parse(bootstrapJson) as any;
const node = join(process.cwd(), "node_modules/.bin/node");

let dir: string;
/** The certificates make-xds-certs.sh makes, by the path the Secrets are mounted at. */
let mounted: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portcullis-k8s-"));
  execFileSync("sh", [join(EXAMPLE_DIR, "make-xds-certs.sh"), join(dir, "certs")], { stdio: "pipe" });
  const cert = (file: string) => join(dir, "certs", file);
  mounted = {
    "/etc/portcullis/xds-tls/tls.crt": cert("server.crt"),
    "/etc/portcullis/xds-tls/tls.key": cert("server.key"),
    "/etc/portcullis/xds-tls/ca.crt": cert("ca.crt"),
    "/etc/envoy/xds-tls/tls.crt": cert("envoy.crt"),
    "/etc/envoy/xds-tls/tls.key": cert("envoy.key"),
    "/etc/envoy/xds-tls/ca.crt": cert("ca.crt"),
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The Secret paths in a text replaced by the test's certificate files. */
const withCertificates = (text: string) => Object.entries(mounted).reduce((out, [path, file]) => out.replaceAll(path, file), text);

describe("every document", () => {
  it.each(yamlFiles())("of %s passes the Kubernetes API schema and names itself", async (file) => {
    const documents = manifests.filter((manifest) => manifest.file === file);
    expect(documents.length).toBeGreaterThan(0);
    for (const manifest of documents) {
      expect(await schemaError(manifest), `${file}: ${manifest.kind} ${manifest.metadata.name}`).toBeUndefined();
      expect(manifest.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (manifest.kind !== "Namespace") expect(manifest.metadata.namespace, `${manifest.kind} ${manifest.metadata.name}`).toBe("portcullis");
    }
  });

  it("has only fields the Kubernetes API knows (typed as the API's objects, no excess property)", { timeout: 60_000 }, async () => {
    expect(await unknownFields(manifests, dir)).toBe("");
  });

  it("lives in a namespace the example defines", () => {
    expect(byKind(manifests, "Namespace").map((n) => n.metadata.name)).toEqual(["portcullis"]);
  });
});

describe.each(deployments.map((d) => [d.metadata.name!, d] as const))("Deployment %s", (_name, deployment) => {
  const pod = deployment.spec.template;

  it("selects its own pods, and each container has a name, an image and ports its probes use", () => {
    expect(selects(deployment.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
    for (const container of containers(deployment)) {
      expect(container.name).toMatch(/^[a-z0-9-]+$/);
      expect(container.image).toMatch(/^[\w./-]+:[\w.-]+$/); // a pinned tag, never :latest by omission
      const ports = (container.ports ?? []).flatMap((port) => [port.containerPort, port.name]);
      expect(container.readinessProbe, `${container.name} has a readiness probe`).toBeDefined();
      for (const [kind, probe] of probes(container)) {
        const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
        if (port !== undefined) expect(ports, `${container.name}.${kind} port`).toContain(port);
        else expect(probe.exec?.command?.length, `${container.name}.${kind} has an action`).toBeGreaterThan(0);
      }
    }
  });

  it("mounts only volumes it declares, from ConfigMaps and Secrets defined here or created by the user as the README says", () => {
    const volumes = new Map<string, { configMap?: { name: string }; secret?: { secretName: string }; emptyDir?: object }>((pod.spec.volumes ?? []).map((v: { name: string }) => [v.name, v]));
    for (const container of containers(deployment)) {
      for (const mount of container.volumeMounts ?? []) expect([...volumes.keys()], `${container.name} mounts ${mount.name}`).toContain(mount.name);
    }
    for (const [name, volume] of volumes) {
      if (volume.configMap) expect(manifests.some((m) => m.kind === "ConfigMap" && m.metadata.name === volume.configMap!.name), `ConfigMap of volume ${name}`).toBe(true);
      if (volume.secret) {
        const defined = manifests.some((m) => m.kind === "Secret" && m.metadata.name === volume.secret!.secretName);
        expect(defined || readme.includes(`create secret generic ${volume.secret.secretName} `), `Secret ${volume.secret.secretName}: defined here or created as the README says`).toBe(true);
      }
    }
  });
});

it("every Service and PodDisruptionBudget selects a Deployment's pods, and each Service port targets a port they have", () => {
  for (const service of byKind(manifests, "Service")) {
    const target = deployments.find((d) => selects(service.spec.selector, d.spec.template.metadata.labels));
    expect(target, `the pods of Service ${service.metadata.name}`).toBeDefined();
    const ports = containers(target!).flatMap((c) => (c.ports ?? []).flatMap((p) => [p.name, p.containerPort]));
    for (const port of service.spec.ports) expect(ports, `Service ${service.metadata.name} port ${port.name}`).toContain(port.targetPort ?? port.port);
  }
  for (const budget of byKind(manifests, "PodDisruptionBudget")) {
    expect(deployments.some((d) => selects(budget.spec.selector.matchLabels, d.spec.template.metadata.labels)), `PodDisruptionBudget ${budget.metadata.name}`).toBe(true);
  }
});

it("serve's probes httpGet /readyz and /healthz on its admin port, exposed beyond loopback for them, and it reads the config where the ConfigMap is mounted", () => {
  const admin = Number(flag(serveContainer, "admin-port"));
  expect(serveContainer.ports).toContainEqual({ name: "admin", containerPort: admin });
  expect(serveContainer.readinessProbe!.httpGet).toEqual({ path: "/readyz", port: "admin" });
  expect(serveContainer.livenessProbe!.httpGet).toEqual({ path: "/healthz", port: "admin" });
  expect(flag(serveContainer, "admin-host")).toBe("0.0.0.0");
  expect(serveContainer.args).toContain("--expose-admin");
  const configMount = serveContainer.volumeMounts!.find((m) => m.name === "config")!;
  expect(serveContainer.args).toContain(`${configMount.mountPath}/gateway.yaml`);
  expect(serveContainer.ports).toContainEqual({ name: "xds", containerPort: Number(flag(serveContainer, "xds-port")) });
});

it("the gateway config compiles without an error, for the gateway the Envoys ask for on the port their pods expose", async () => {
  const file = join(dir, "gateway.yaml");
  await writeFile(file, gatewayYaml);
  const result = await compileGatewayFile(file);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const config = parseYaml(gatewayYaml);
  expect(bootstrap.node.cluster).toBe(config.gateway.name);
  expect(flag(serveContainer, "allow-spiffe")).toBe(`spiffe://cluster.local/ns/portcullis/sa/envoy=${config.gateway.name}`);
  expect(envoyContainer.ports).toContainEqual({ name: "http", containerPort: config.gateway.listeners[0].port });
});

it("the bootstrap ConfigMap is what the README's `portcullis bootstrap` command makes, aimed at the xDS Service", async () => {
  const lines = readme.split("\n");
  const start = lines.findIndex((line) => line.startsWith("npx portcullis bootstrap "));
  let command = "";
  for (let i = start; start >= 0; i++) {
    command += ` ${lines[i]!.replace(/\\$/, "")}`;
    if (!lines[i]!.endsWith("\\")) break;
  }
  const args = command.trim().split(/\s+/).slice(2);
  expect(args).toContain("--out");
  const made = await runCommand(node, [join(process.cwd(), "src/cli/main.ts"), ...args], { cwd: dir, timeoutMs: 30_000 });
  expect(made.code, made.stderr).toBe(0);
  expect(JSON.parse(await readFile(join(dir, args[args.indexOf("--out") + 1]!), "utf8")), "envoy-bootstrap.yaml is stale: remake it as the README says").toEqual(bootstrap);

  const xds = bootstrap.static_resources.clusters[0];
  const service = named(manifests, "Service", "portcullis-xds");
  expect(xds.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: `${service.metadata.name}.portcullis.svc.cluster.local`, port_value: service.spec.ports[0].port });
  expect(service.spec.clusterIP).toBe("None"); // headless: the name resolves to every ready replica
});

it("the bootstrap passes real `envoy --mode validate` once its certificate paths exist", async () => {
  const file = join(dir, "envoy.json");
  await writeFile(file, withCertificates(bootstrapJson));
  expect(await validateBootstrap(file)).toMatchObject({ ok: true });
});

describe("run as the manifests say", () => {
  let backend: TestBackend;
  let serve: ServeProcess | undefined;

  afterAll(async () => {
    await stopAllEnvoys();
    serve?.child.kill("SIGKILL");
    await backend?.close();
  });

  it("serve with the Deployment's flags serves an Envoy started from the bootstrap, over mTLS, and traffic flows", { timeout: 120_000 }, async () => {
    backend = await startBackend("hello");
    const [xdsPort, adminPort, listenerPort] = (await freePorts(3)) as [number, number, number];
    // Only what the cluster provides differently: loopback addresses and free ports, the backend's address.
    const config = parseYaml(gatewayYaml);
    config.gateway.listeners[0] = { ...config.gateway.listeners[0], address: "127.0.0.1", port: listenerPort };
    config.providers.hello.endpoints = [`127.0.0.1:${backend.port}`];
    const configFile = join(dir, "cluster-gateway.yaml");
    await writeFile(configFile, stringify(config));
    const local = (arg: string) => (arg === "--host=0.0.0.0" ? "--host=127.0.0.1" : withCertificates(arg));
    const flags = serveContainer.args!.filter((arg) => arg.startsWith("--") && !/^--(xds-port|admin-port|log-format)=/.test(arg)).map(local);
    serve = await startServe(configFile, { xdsPort, adminPort, extraArgs: flags });

    const cluster = JSON.parse(withCertificates(bootstrapJson));
    cluster.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address = { address: "127.0.0.1", port_value: xdsPort };
    await startEnvoy({ bootstrap: cluster });
    // With a Host the config serves (fetch cannot set Host).
    const request = `GET /v1/hello HTTP/1.1\r\nHost: ${config.gateway.listeners[0].hostnames[0]}\r\nConnection: close\r\n\r\n`;
    const hello = async () => (await rawExchange(listenerPort, request, { responses: 1 })).responses[0];
    const answer = await eventually(hello, (r) => r?.status === 200, "a request through the example's Envoy", 30_000);
    expect(answer!.headers).toContainEqual(["x-backend", "hello"]);
    const status = (await (await serve.admin("/status"))!.json()) as { xds: { mtls: boolean }; admin?: { host: string; warning: string }; nodes: { nodeId: string; gateway: string; connected: boolean }[] };
    expect(status.xds.mtls).toBe(true);
    expect(status.admin).toMatchObject({ host: "0.0.0.0", warning: expect.stringContaining("--expose-admin") });
    expect(status.nodes).toContainEqual(expect.objectContaining({ nodeId: bootstrap.node.id, gateway: "edge", connected: true }));
  });
});
