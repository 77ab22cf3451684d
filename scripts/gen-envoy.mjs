#!/usr/bin/env node
// Regenerates generated/: the Envoy v3 API (plus its xds/udpa, validate,
// googleapis, opentelemetry and cel dependencies) as protobuf-es v2 JS + .d.ts.
//
//   npm run gen:envoy            (needs Go >= 1.26 on PATH or at /usr/local/go/bin,
//                                 and the Go module proxy)
//
// How it works:
//   1. A throw-away Go module is written to .cache/gen-envoy/ (git-ignored; no Go
//      or .proto file is ever committed). It depends on the pinned
//      go-control-plane/envoy module, blank-imports the Go packages for the
//      proto directories listed in PROTO_DIRS and dumps every file descriptor
//      registered in protoregistry.GlobalFiles as a topologically sorted,
//      deterministically marshalled google.protobuf.FileDescriptorSet
//      (a valid Buf image).
//   2. `buf generate <image> --path <dir>...` runs the local protoc-gen-es
//      (node_modules/.bin, target=js+dts, import_extension=js) with
//      include_imports, so dependencies are generated too; google/protobuf
//      well-known types are not generated (they map to @bufbuild/protobuf/wkt).
//   3. generated/registry.js + .d.ts (an array of every generated GenFile) and
//      generated/README.md are written, then generated/ is replaced atomically.
//
// To upgrade Envoy: bump GO_CONTROL_PLANE_ENVOY (and the modules in PINNED_DEPS
// to what that version's go.mod requires; the script fails and prints the
// resolved versions if they disagree), run `npm run gen:envoy`, review the diff.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------------------
// Pins
// ---------------------------------------------------------------------------

/** The go-control-plane "envoy" module tag matching the Envoy release (1.40). */
const GO_CONTROL_PLANE_ENVOY = "v1.40.0";

/**
 * Exact versions of every module the descriptor dump links in; these are
 * the versions go-control-plane/envoy@v1.40.0's go.mod requires. The script
 * verifies that `go mod tidy` resolved exactly these.
 */
const PINNED_DEPS = {
  "github.com/cncf/xds/go": "v0.0.0-20260202195803-dba9d589def2",
  "github.com/envoyproxy/protoc-gen-validate": "v1.3.3",
  "cel.dev/expr": "v0.25.2",
  "go.opentelemetry.io/proto/otlp": "v1.11.0",
  "google.golang.org/genproto/googleapis/api": "v0.0.0-20260720211330-0afa2a65878a",
  "google.golang.org/genproto/googleapis/rpc": "v0.0.0-20260720211330-0afa2a65878a",
  "google.golang.org/protobuf": "v1.36.12",
  "google.golang.org/grpc": "v1.84.0",
  "github.com/envoyproxy/go-control-plane": "v0.14.0",
  "github.com/planetscale/vtprotobuf": "v0.6.1-0.20240319094008-0393e58bdf10",
  "github.com/prometheus/client_model": "v0.6.3",
};

// ---------------------------------------------------------------------------
// Coverage: proto directories to generate (each with all of its imports).
// Each entry is both a `buf generate --path` and (mapped through GO_PACKAGE_ROOTS)
// a Go package that is blank-imported so its files get registered.
// ---------------------------------------------------------------------------

const PROTO_DIRS = [
  // core config
  "envoy/config/accesslog/v3",
  "envoy/config/bootstrap/v3",
  "envoy/config/cluster/v3",
  "envoy/config/common/matcher/v3",
  "envoy/config/common/mutation_rules/v3",
  "envoy/config/core/v3",
  "envoy/config/endpoint/v3",
  "envoy/config/listener/v3",
  "envoy/config/metrics/v3",
  "envoy/config/overload/v3",
  "envoy/config/ratelimit/v3",
  "envoy/config/rbac/v3",
  "envoy/config/route/v3",
  "envoy/config/trace/v3",
  "envoy/admin/v3",
  "envoy/data/accesslog/v3",
  "envoy/type/v3",
  "envoy/type/matcher/v3",
  "envoy/type/metadata/v3",
  "envoy/type/tracing/v3",
  "envoy/type/http/v3",

  // HTTP filters
  "envoy/extensions/filters/http/a2a/v3",
  "envoy/extensions/filters/http/ai_protocol_manager/v3",
  "envoy/extensions/filters/http/api_key_auth/v3",
  "envoy/extensions/filters/http/basic_auth/v3",
  "envoy/extensions/filters/http/body_size_limit/v3",
  "envoy/extensions/filters/http/buffer/v3",
  "envoy/extensions/filters/http/composite/v3",
  "envoy/extensions/filters/http/compressor/v3",
  "envoy/extensions/filters/http/cors/v3",
  "envoy/extensions/filters/http/credential_injector/v3",
  "envoy/extensions/filters/http/csrf/v3",
  "envoy/extensions/filters/http/custom_response/v3",
  "envoy/extensions/filters/http/decompressor/v3",
  "envoy/extensions/filters/http/dynamic_forward_proxy/v3",
  "envoy/extensions/filters/http/ext_authz/v3",
  "envoy/extensions/filters/http/ext_proc/v3",
  "envoy/extensions/filters/http/fault/v3",
  "envoy/extensions/filters/http/grpc_json_transcoder/v3",
  "envoy/extensions/filters/http/grpc_stats/v3",
  "envoy/extensions/filters/http/grpc_web/v3",
  "envoy/extensions/filters/http/header_mutation/v3",
  "envoy/extensions/filters/http/header_to_metadata/v3",
  "envoy/extensions/filters/http/health_check/v3",
  "envoy/extensions/filters/http/json_to_metadata/v3",
  "envoy/extensions/filters/http/jwt_authn/v3",
  "envoy/extensions/filters/http/local_ratelimit/v3",
  "envoy/extensions/filters/http/lua/v3",
  "envoy/extensions/filters/http/mcp/v3",
  "envoy/extensions/filters/http/mcp_json_rest_bridge/v3",
  "envoy/extensions/filters/http/mcp_router/v3",
  "envoy/extensions/filters/http/oauth2/v3",
  "envoy/extensions/filters/http/ratelimit/v3",
  "envoy/extensions/filters/http/rbac/v3",
  "envoy/extensions/filters/http/router/v3",
  "envoy/extensions/filters/http/set_metadata/v3",
  "envoy/extensions/filters/http/set_filter_state/v3",
  "envoy/extensions/filters/http/sse_to_metadata/v3",
  "envoy/extensions/filters/http/stateful_session/v3",
  "envoy/extensions/filters/http/transform/v3",
  "envoy/extensions/filters/http/upstream_codec/v3",

  // network + listener filters
  "envoy/extensions/filters/network/connection_limit/v3",
  "envoy/extensions/filters/network/ext_authz/v3",
  "envoy/extensions/filters/network/http_connection_manager/v3",
  "envoy/extensions/filters/network/local_ratelimit/v3",
  "envoy/extensions/filters/network/ratelimit/v3",
  "envoy/extensions/filters/network/rbac/v3",
  "envoy/extensions/filters/network/tcp_proxy/v3",
  "envoy/extensions/filters/listener/http_inspector/v3",
  "envoy/extensions/filters/listener/original_dst/v3",
  "envoy/extensions/filters/listener/proxy_protocol/v3",
  "envoy/extensions/filters/listener/tls_inspector/v3",

  // transport sockets, upstreams, clusters
  "envoy/extensions/transport_sockets/tls/v3",
  "envoy/extensions/transport_sockets/raw_buffer/v3",
  "envoy/extensions/transport_sockets/proxy_protocol/v3",
  "envoy/extensions/upstreams/http/v3",
  "envoy/extensions/upstreams/http/generic/v3",
  "envoy/extensions/upstreams/http/http/v3",
  "envoy/extensions/upstreams/http/tcp/v3",
  "envoy/extensions/upstreams/tcp/v3",
  "envoy/extensions/clusters/aggregate/v3",
  "envoy/extensions/clusters/dynamic_forward_proxy/v3",
  "envoy/extensions/clusters/mcp_multicluster/v3",
  "envoy/extensions/common/dynamic_forward_proxy/v3",
  "envoy/extensions/load_balancing_policies/client_side_weighted_round_robin/v3",
  "envoy/extensions/load_balancing_policies/common/v3",
  "envoy/extensions/load_balancing_policies/least_request/v3",
  "envoy/extensions/load_balancing_policies/maglev/v3",
  "envoy/extensions/load_balancing_policies/random/v3",
  "envoy/extensions/load_balancing_policies/ring_hash/v3",
  "envoy/extensions/load_balancing_policies/round_robin/v3",
  "envoy/extensions/load_balancing_policies/wrr_locality/v3",
  "envoy/extensions/retry/host/previous_hosts/v3",
  "envoy/extensions/retry/priority/previous_priorities/v3",
  "envoy/extensions/network/dns_resolver/cares/v3",
  "envoy/extensions/network/dns_resolver/getaddrinfo/v3",

  // access logging, formatters
  "envoy/extensions/access_loggers/file/v3",
  "envoy/extensions/access_loggers/filters/cel/v3",
  "envoy/extensions/access_loggers/grpc/v3",
  "envoy/extensions/access_loggers/open_telemetry/v3",
  "envoy/extensions/access_loggers/stream/v3",
  "envoy/extensions/formatter/cel/v3",
  "envoy/extensions/formatter/metadata/v3",
  "envoy/extensions/formatter/req_without_query/v3",

  // HTTP extensions
  "envoy/extensions/compression/brotli/compressor/v3",
  "envoy/extensions/compression/brotli/decompressor/v3",
  "envoy/extensions/compression/gzip/compressor/v3",
  "envoy/extensions/compression/gzip/decompressor/v3",
  "envoy/extensions/compression/zstd/compressor/v3",
  "envoy/extensions/compression/zstd/decompressor/v3",
  "envoy/extensions/http/ai_filters/request_info/v3",
  "envoy/extensions/http/ai_filters/schema_validation/v3",
  "envoy/extensions/http/ai_filters/transcoder/v3",
  "envoy/extensions/http/early_header_mutation/header_mutation/v3",
  "envoy/extensions/http/header_formatters/preserve_case/v3",
  "envoy/extensions/http/injected_credentials/generic/v3",
  "envoy/extensions/http/injected_credentials/oauth2/v3",
  "envoy/extensions/http/original_ip_detection/custom_header/v3",
  "envoy/extensions/http/original_ip_detection/xff/v3",
  "envoy/extensions/http/stateful_session/cookie/v3",
  "envoy/extensions/http/stateful_session/header/v3",
  "envoy/extensions/path/match/uri_template/v3",
  "envoy/extensions/path/rewrite/uri_template/v3",
  "envoy/extensions/rate_limit_descriptors/expr/v3",
  "envoy/extensions/request_id/uuid/v3",

  // matching
  "envoy/extensions/common/matching/v3",
  "envoy/extensions/filters/common/matcher/action/v3",
  "envoy/extensions/matching/common_inputs/environment_variable/v3",
  "envoy/extensions/matching/common_inputs/network/v3",
  "envoy/extensions/matching/common_inputs/ssl/v3",
  "envoy/extensions/matching/input_matchers/ip/v3",
  "envoy/extensions/matching/input_matchers/metadata/v3",

  // overload manager
  "envoy/extensions/resource_monitors/downstream_connections/v3",
  "envoy/extensions/resource_monitors/fixed_heap/v3",

  // services (xDS, CSDS, ext_proc, ext_authz, ALS, RLS)
  "envoy/service/accesslog/v3",
  "envoy/service/auth/v3",
  "envoy/service/cluster/v3",
  "envoy/service/discovery/v3",
  "envoy/service/endpoint/v3",
  "envoy/service/ext_proc/v3",
  "envoy/service/listener/v3",
  "envoy/service/ratelimit/v3",
  "envoy/service/route/v3",
  "envoy/service/runtime/v3",
  "envoy/service/secret/v3",
  "envoy/service/status/v3",

  // xds types that are used through Any but imported by nothing above
  "udpa/type/v1",
  "xds/type/v3",
  "xds/type/matcher/v3",
];

/** proto path prefix -> Go import path prefix */
const GO_PACKAGE_ROOTS = [
  ["envoy/", "github.com/envoyproxy/go-control-plane/envoy/"],
  ["xds/", "github.com/cncf/xds/go/xds/"],
  ["udpa/", "github.com/cncf/xds/go/udpa/"],
];

// ---------------------------------------------------------------------------

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "node_modules", ".bin");
const CACHE = join(ROOT, ".cache", "gen-envoy");
const GOMOD_DIR = join(CACHE, "dump");
const IMAGE = join(CACHE, "envoy-image.binpb");
const STAGE = join(CACHE, "out");
const OUT = join(ROOT, "generated");

const t0 = performance.now();
const log = (msg) =>
  console.error(`[gen-envoy ${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

function goPackageFor(protoDir) {
  for (const [protoPrefix, goPrefix] of GO_PACKAGE_ROOTS) {
    if (protoDir.startsWith(protoPrefix)) return goPrefix + protoDir.slice(protoPrefix.length);
  }
  throw new Error(`no Go package root for ${protoDir}`);
}

function findGo() {
  const candidates = [process.env.GO, "go", "/usr/local/go/bin/go"].filter(Boolean);
  for (const c of candidates) {
    const r = spawnSync(c, ["version"], { encoding: "utf8" });
    if (r.status === 0) return c;
  }
  throw new Error("Go toolchain not found (set GO=/path/to/go)");
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    stdio: ["ignore", opts.capture ? "pipe" : "inherit", "inherit"],
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    ...opts,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}`);
  }
  return r.stdout;
}

function writeGoModule() {
  mkdirSync(GOMOD_DIR, { recursive: true });
  const requires = [
    `\tgithub.com/envoyproxy/go-control-plane/envoy ${GO_CONTROL_PLANE_ENVOY}`,
    ...Object.entries(PINNED_DEPS).map(([m, v]) => `\t${m} ${v}`),
  ];
  writeFileSync(
    join(GOMOD_DIR, "go.mod"),
    `module portcullis.local/gen-envoy\n\ngo 1.26.0\n\nrequire (\n${requires.join("\n")}\n)\n`,
  );
  const imports = [...new Set(PROTO_DIRS.map(goPackageFor))]
    .sort()
    .map((p) => `\t_ "${p}"`)
    .join("\n");
  writeFileSync(
    join(GOMOD_DIR, "main.go"),
    `// Code generated by scripts/gen-envoy.mjs. DO NOT EDIT.
// Dumps every registered file descriptor as a FileDescriptorSet (Buf image).
package main

import (
\t"fmt"
\t"os"
\t"sort"

\t"google.golang.org/protobuf/proto"
\t"google.golang.org/protobuf/reflect/protodesc"
\t"google.golang.org/protobuf/reflect/protoreflect"
\t"google.golang.org/protobuf/reflect/protoregistry"
\t"google.golang.org/protobuf/types/descriptorpb"

${imports}
)

func main() {
\tif len(os.Args) != 2 {
\t\tfmt.Fprintln(os.Stderr, "usage: dump <out.binpb>")
\t\tos.Exit(2)
\t}
\tvar all []protoreflect.FileDescriptor
\tprotoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
\t\tall = append(all, fd)
\t\treturn true
\t})
\t// RangeFiles iterates a map: sort for determinism, then emit in
\t// dependency order (every file after all of its imports).
\tsort.Slice(all, func(i, j int) bool { return all[i].Path() < all[j].Path() })
\tdone := map[string]bool{}
\tset := &descriptorpb.FileDescriptorSet{}
\tvar visit func(fd protoreflect.FileDescriptor)
\tvisit = func(fd protoreflect.FileDescriptor) {
\t\tif done[fd.Path()] {
\t\t\treturn
\t\t}
\t\tdone[fd.Path()] = true
\t\timports := fd.Imports()
\t\tfor i := 0; i < imports.Len(); i++ {
\t\t\timp := imports.Get(i)
\t\t\tif imp.IsPlaceholder() {
\t\t\t\tfmt.Fprintf(os.Stderr, "%s imports unregistered file %s\\n", fd.Path(), imp.Path())
\t\t\t\tos.Exit(1)
\t\t\t}
\t\t\tvisit(imp.FileDescriptor)
\t\t}
\t\tset.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
\t}
\tfor _, fd := range all {
\t\tvisit(fd)
\t}
\tb, err := proto.MarshalOptions{Deterministic: true}.Marshal(set)
\tif err != nil {
\t\tpanic(err)
\t}
\tif err := os.WriteFile(os.Args[1], b, 0o644); err != nil {
\t\tpanic(err)
\t}
\tfmt.Fprintf(os.Stderr, "wrote %d file descriptors (%d bytes)\\n", len(set.File), len(b))
}
`,
  );
}

function verifyPins(go, env) {
  const out = run(go, ["list", "-m", "-f", "{{.Path}} {{.Version}}", "all"], {
    cwd: GOMOD_DIR,
    env,
    capture: true,
  });
  const resolved = new Map(out.trim().split("\n").map((l) => l.split(" ")));
  const want = { "github.com/envoyproxy/go-control-plane/envoy": GO_CONTROL_PLANE_ENVOY, ...PINNED_DEPS };
  const bad = Object.entries(want).filter(([m, v]) => resolved.get(m) !== v);
  if (bad.length > 0) {
    throw new Error(
      "resolved module versions differ from the pins:\n" +
        bad.map(([m, v]) => `  ${m}: pinned ${v}, resolved ${resolved.get(m)}`).join("\n"),
    );
  }
}

function dumpImage() {
  const go = findGo();
  const env = {
    ...process.env,
    GOFLAGS: "-mod=mod -buildvcs=false",
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
    GOWORK: "off",
  };
  writeGoModule();
  log(`go mod tidy (go-control-plane/envoy ${GO_CONTROL_PLANE_ENVOY})`);
  run(go, ["mod", "tidy"], { cwd: GOMOD_DIR, env });
  verifyPins(go, env);
  log("go run (dump file descriptors)");
  run(go, ["run", ".", IMAGE], { cwd: GOMOD_DIR, env });
}

function bufGenerate() {
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(STAGE, { recursive: true });
  const template = {
    version: "v2",
    plugins: [
      {
        local: join(BIN, "protoc-gen-es"),
        out: STAGE,
        include_imports: true,
        // One plugin run for all files (the default, "directory", starts
        // Node once per proto package: ~150 runs, ~50 s).
        strategy: "all",
        opt: ["target=js+dts", "import_extension=js"],
      },
    ],
  };
  const templatePath = join(CACHE, "buf.gen.yaml");
  // JSON is valid YAML.
  writeFileSync(templatePath, `${JSON.stringify(template, null, 2)}\n`);
  const args = ["generate", IMAGE, "--template", templatePath];
  for (const dir of PROTO_DIRS) args.push("--path", dir);
  log("buf generate");
  run(join(BIN, "buf"), args, {
    cwd: CACHE,
    // protoc-gen-es is `#!/usr/bin/env node`: make sure it runs on the
    // project's Node, not whatever `node` comes first on PATH.
    env: { ...process.env, PATH: `${BIN}${process.platform === "win32" ? ";" : ":"}${process.env.PATH ?? ""}` },
  });
}

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

function writeRegistry(files) {
  const pbFiles = files.filter((f) => f.endsWith("_pb.d.ts")).sort();
  const imports = [];
  const names = [];
  for (const f of pbFiles) {
    const dts = readFileSync(f, "utf8");
    const m = /^export declare const (file_\w+): GenFile;$/m.exec(dts);
    if (!m) throw new Error(`no GenFile export in ${f}`);
    const rel = `./${relative(STAGE, f).split(sep).join("/").replace(/\.d\.ts$/, ".js")}`;
    imports.push(`import { ${m[1]} } from "${rel}";`);
    names.push(m[1]);
  }
  const header = "// Code generated by scripts/gen-envoy.mjs. DO NOT EDIT.\n";
  writeFileSync(
    join(STAGE, "registry.js"),
    header +
      "// Every generated file descriptor, for createRegistry(...allFiles).\n" +
      imports.join("\n") +
      "\n\nexport const allFiles = [\n" +
      names.map((n) => `  ${n},`).join("\n") +
      "\n];\n",
  );
  writeFileSync(
    join(STAGE, "registry.d.ts"),
    header +
      'import type { GenFile } from "@bufbuild/protobuf/codegenv2";\n\n' +
      "/** Every generated file descriptor (the Envoy API and its dependencies, without the WKTs). */\n" +
      "export declare const allFiles: readonly GenFile[];\n",
  );
  return names.length;
}

function writeReadme(fileCount) {
  const depLines = Object.entries(PINNED_DEPS)
    .map(([m, v]) => `- \`${m}\` ${v}`)
    .join("\n");
  writeFileSync(
    join(STAGE, "README.md"),
    `# generated/ — do not edit

Everything in this directory is generated by \`scripts/gen-envoy.mjs\`
(\`npm run gen:envoy\`). Manual edits are overwritten.

It is the Envoy v3 API (${fileCount} proto files: the Envoy packages listed in
\`PROTO_DIRS\` in the script, plus all their imports — xds/udpa, validate,
googleapis, opentelemetry, cel) as protobuf-es v2 code (\`*_pb.js\` + \`*_pb.d.ts\`,
protoc-gen-es \`target=js+dts\`, \`import_extension=js\`). google/protobuf
well-known types come from \`@bufbuild/protobuf/wkt\`. \`registry.js\` exports
\`allFiles\`, every generated file descriptor, for \`createRegistry\`
(see \`src/envoy/registry.ts\`).

Source: the file descriptors compiled into the Go module
\`github.com/envoyproxy/go-control-plane/envoy\` **${GO_CONTROL_PLANE_ENVOY}** (Envoy 1.40 API),
with the dependency modules pinned to:

${depLines}

The descriptors come from Go's registry, which does not keep proto comments,
so the generated code has no doc comments; see the Envoy API docs.

## Regenerating / upgrading Envoy

1. Bump \`GO_CONTROL_PLANE_ENVOY\` in \`scripts/gen-envoy.mjs\` (and \`PINNED_DEPS\` to
   what that version's go.mod requires; the script fails listing any mismatch).
   Add proto directories to \`PROTO_DIRS\` if new extensions are needed.
2. \`npm run gen:envoy\` (needs Go ${"\u2265"} 1.26 and the Go module proxy; work files go to
   \`.cache/gen-envoy/\`).
3. Review the diff of \`generated/\`, run the type check and tests, commit.
`,
  );
}

function hashTree(files, base) {
  const h = createHash("sha256");
  for (const f of files) {
    h.update(relative(base, f).split(sep).join("/"));
    h.update("\0");
    h.update(readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex");
}

// ---------------------------------------------------------------------------

mkdirSync(CACHE, { recursive: true });
dumpImage();
bufGenerate();
// Every requested directory must have produced code (catches Go packages whose
// files register under a different proto path than the directory name).
const missing = PROTO_DIRS.filter(
  (dir) => !existsSync(join(STAGE, dir)) || !readdirSync(join(STAGE, dir)).some((f) => f.endsWith("_pb.js")),
);
if (missing.length > 0) throw new Error(`no code generated for: ${missing.join(", ")}`);
const pbCount = writeRegistry(walk(STAGE));
writeReadme(pbCount);

const files = walk(STAGE);
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
const digest = hashTree(files, STAGE);

// Replace generated/ only once everything succeeded.
const old = join(CACHE, "old-generated");
rmSync(old, { recursive: true, force: true });
if (existsSync(OUT)) renameSync(OUT, old);
renameSync(STAGE, OUT);
rmSync(old, { recursive: true, force: true });

log(
  `generated/: ${files.length} files, ${(bytes / 1024 / 1024).toFixed(2)} MiB, ` +
    `${pbCount} proto files; sha256 ${digest}`,
);
