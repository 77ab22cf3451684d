import { writeFile } from "node:fs/promises";
import { adsBootstrap, type AdsBootstrapOptions } from "../xds/bootstrap-ads.ts";
import { DEFAULT_ENVOY_ADMIN_PORT, DEFAULT_XDS_PORT } from "../xds/default-ports.ts";
import { ExitCode, parseCommandArgs, UsageError, type Command } from "./command.ts";
import { parseHostPort, parsePort } from "./net-args.ts";

const HELP = `Usage: portcullis bootstrap --node-id ID --cluster NAME [options]

Writes an Envoy bootstrap (JSON) that connects Envoy to a Portcullis control plane over ADS.
Run Envoy with it: envoy -c FILE

Options:
  --node-id ID          this proxy's node id (shown on the control plane's /status)
  --cluster NAME        the gateway to serve this proxy: the config's gateway name
  --xds HOST:PORT       control plane address (default 127.0.0.1:${DEFAULT_XDS_PORT}); repeat it to list
                        several replicas. A DNS name stands for every address it resolves to (e.g. a
                        Kubernetes headless Service). When a replica's stream breaks, Envoy reconnects
                        to another: snapshots are deterministic, so nothing changes
  --out FILE            write to FILE instead of stdout
  --admin-port N        Envoy admin port on 127.0.0.1 (default ${DEFAULT_ENVOY_ADMIN_PORT})
  --sotw                state-of-the-world xDS (GRPC) instead of incremental (DELTA_GRPC): every
                        update then resends each route scope whole, so a route edit costs Envoy the
                        whole route table again
  --tls-cert FILE       client certificate for mTLS to the control plane (with --tls-key and --ca)
  --tls-key FILE        private key of --tls-cert
  --ca FILE             CA that signed the control plane's certificate
  --server-name NAME    name expected in the control plane's certificate (default: the --xds host,
                        or any of them when there are several)

Examples:
  portcullis bootstrap --node-id edge-1 --cluster shop --out envoy.json && envoy -c envoy.json
  portcullis bootstrap --node-id edge-1 --cluster shop --xds 10.0.0.1:18000 --xds 10.0.0.2:18000 ...`;

function bootstrapOptionsFromArgs(args: string[]): { options: AdsBootstrapOptions; out: string | undefined } {
  // Scripts written for the releases where delta was opt-in get told what changed, not "unknown option".
  if (args.includes("--delta")) throw new UsageError("--delta is no longer an option: incremental xDS (DELTA_GRPC) is the default. Drop it; --sotw gives state-of-the-world.");
  const { values, positionals } = parseCommandArgs(args, {
      "node-id": { type: "string" },
      cluster: { type: "string" },
      xds: { type: "string", multiple: true },
      out: { type: "string" },
      "admin-port": { type: "string" },
      sotw: { type: "boolean" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      ca: { type: "string" },
      "server-name": { type: "string" },
    });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const nodeId = values["node-id"];
  const cluster = values.cluster;
  if (!nodeId) throw new UsageError("--node-id is required (a name for this proxy, e.g. edge-1)");
  if (!cluster) throw new UsageError("--cluster is required: the gateway name of the config this proxy should serve");
  const xdsTexts = values.xds ?? [`127.0.0.1:${DEFAULT_XDS_PORT}`];
  const repeated = xdsTexts.find((text, i) => xdsTexts.indexOf(text) !== i);
  if (repeated) throw new UsageError(`--xds ${repeated} is given twice; name each control-plane replica once`);
  const xdsServers = xdsTexts.map((text) => parseHostPort("--xds", text));
  const tlsFiles = [values["tls-cert"], values["tls-key"], values.ca];
  if (tlsFiles.some(Boolean) && !tlsFiles.every(Boolean)) throw new UsageError("mTLS needs all three of --tls-cert, --tls-key and --ca");
  const options: AdsBootstrapOptions = {
    nodeId,
    cluster,
    xdsServers,
    adminPort: values["admin-port"] ? parsePort("--admin-port", values["admin-port"]) : DEFAULT_ENVOY_ADMIN_PORT,
    delta: !values.sotw,
    ...(values["tls-cert"] && values["tls-key"] && values.ca
      ? {
          tls: {
            certFile: values["tls-cert"],
            keyFile: values["tls-key"],
            caFile: values.ca,
            ...(values["server-name"] ? { serverName: values["server-name"] } : {}),
          },
        }
      : {}),
  };
  return { options, out: values.out };
}

export const bootstrapCommand: Command = {
  name: "bootstrap",
  summary: "write an Envoy bootstrap that connects to the control plane over ADS",
  help: HELP,
  async run(args) {
    const { options, out } = bootstrapOptionsFromArgs(args);
    const text = `${JSON.stringify(adsBootstrap(options), null, 2)}\n`;
    if (out) {
      await writeFile(out, text);
      console.error(`wrote ${out} — start Envoy with: envoy -c ${out}`);
    } else {
      process.stdout.write(text);
    }
    return ExitCode.ok;
  },
};
