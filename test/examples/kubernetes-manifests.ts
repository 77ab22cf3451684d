/**
 * The Kubernetes example's manifests as objects: every YAML document of examples/kubernetes, two
 * checks of each against the Kubernetes API's own OpenAPI schema as the `kubernetes-models`
 * package carries it (its validator: required fields, types, formats; its TypeScript types: no
 * unknown field, as `kubectl apply --validate=strict` refuses them), and lookups the cross-checks need.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IProbe } from "kubernetes-models/v1/Probe";
import { parseAllDocuments } from "yaml";

export const EXAMPLE_DIR = join(import.meta.dirname, "../../examples/kubernetes");

export interface Manifest {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: a Kubernetes object of any kind, checked by its schema below
  readonly spec?: any;
  readonly data?: Record<string, string>;
}

/** The kinds the example uses: `apiVersion/kind` → the module of its model (class `kind`, type `Ikind`). */
const MODELS: Record<string, string> = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/Service": "kubernetes-models/v1/Service",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
};

const withoutFile = ({ file: _file, ...object }: Manifest) => object;

export function yamlFiles(): string[] {
  return readdirSync(EXAMPLE_DIR).filter((name) => name.endsWith(".yaml")).sort();
}

/** Every document of every YAML file; throws with the file and position on a parse error. */
export function loadManifests(): Manifest[] {
  return yamlFiles().flatMap((file) => {
    const documents = parseAllDocuments(readFileSync(join(EXAMPLE_DIR, file), "utf8"));
    if (!Array.isArray(documents)) throw new Error(`${file}: not a YAML stream`);
    return documents.flatMap((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join("; ")}`);
      const value = document.toJS() as Omit<Manifest, "file"> | null;
      return value === null ? [] : [{ file, ...value }];
    });
  });
}

/** The schema's verdict on one object, or undefined when it is valid. */
export async function schemaError(manifest: Manifest): Promise<string | undefined> {
  const module = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!module) return `${manifest.apiVersion}/${manifest.kind} is not a kind this test knows: add its model to MODELS`;
  const Model = (await import(module))[manifest.kind] as new (data: unknown) => { validate(): void };
  try {
    new Model(withoutFile(manifest)).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Every manifest as an object literal of its model's type, type-checked by tsc in `dir`: an
 * unknown field (a typo such as `readinesProbe`) is an excess property. Returns tsc's findings,
 * each naming the manifest's file, kind and name; empty when there are none.
 */
export async function unknownFields(manifests: readonly Manifest[], dir: string): Promise<string> {
  const source = manifests.map((manifest, i) => {
    const module = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
    return `// ${manifest.file}: ${manifest.kind} ${manifest.metadata.name}\nimport type { I${manifest.kind} as T${i} } from "${module}";\nexport const m${i}: T${i} = ${JSON.stringify(withoutFile(manifest))};`;
  });
  await writeFile(join(dir, "manifests.ts"), `${source.join("\n")}\n`);
  const modules = join(import.meta.dirname, "../../node_modules/kubernetes-models");
  const compilerOptions = { strict: true, noEmit: true, module: "esnext", moduleResolution: "bundler", skipLibCheck: true, types: [], paths: { "kubernetes-models/*": [`${modules}/*`] } };
  await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["manifests.ts"] }));
  const tsc = join(import.meta.dirname, "../../node_modules/.bin/tsc");
  const output = await promisify(execFile)(tsc, ["-p", join(dir, "tsconfig.json")]).then(() => "", (error: { stdout?: string }) => error.stdout ?? String(error));
  // tsc names a line of manifests.ts: put the manifest it belongs to beside each finding.
  const lines = source.join("\n").split("\n");
  return output.replace(/\S*manifests\.ts\((\d+),\d+\)/g, (found, line: string) => `${lines[Number(line) - 3]?.slice(3) ?? found}`);
}

export function byKind(manifests: readonly Manifest[], kind: string): Manifest[] {
  return manifests.filter((manifest) => manifest.kind === kind);
}

export function named(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} in examples/kubernetes`);
  return found;
}

export function containers(deployment: Manifest): IContainer[] {
  return deployment.spec.template.spec.containers as IContainer[];
}

/** Whether every label a selector asks for is on these labels. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

export function probes(container: IContainer): [string, IProbe][] {
  return (["readinessProbe", "livenessProbe", "startupProbe"] as const).flatMap((kind) => (container[kind] ? [[kind, container[kind]] as [string, IProbe]] : []));
}

/** A `--flag=value` argument's value. */
export function flag(container: IContainer, name: string): string | undefined {
  return container.args?.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}
