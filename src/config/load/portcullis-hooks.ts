import { registerHooks } from "node:module";
import { PACKAGE_ENTRY_URL } from "./package-entry.ts";

/** A module URL without its query or fragment: the file it was read from. */
export function moduleFileUrl(url: string): string {
  const parsed = new URL(url);
  parsed.search = "";
  parsed.hash = "";
  return parsed.href;
}

/**
 * A config and its local modules are ES modules (`export default defineGateway(…)`), whatever the
 * nearest package.json says: a team's repository is often "type": "commonjs" (`npm init` writes
 * it), which would make Node parse the config as CommonJS and fail at its first import.
 */
function asModule<Resolved extends { url: string; format?: string | null | undefined }>(resolved: Resolved): Resolved {
  const local = resolved.url.startsWith("file:") && !resolved.url.includes("/node_modules/");
  return local && /\.ts$/.test(new URL(resolved.url).pathname) ? { ...resolved, format: "module-typescript" } : resolved;
}

/**
 * Installs the evaluator process's module hooks. `import ... from "portcullis"`
 * in a config runs this Portcullis, whether or not the config's own directory has the package
 * installed: the CLI checks a config with its own model. Every local module the config loads,
 * directly or through other local modules (not node_modules, not Portcullis), is reported once,
 * so `serve --watch` can follow it.
 */
export function registerConfigHooks(configUrl: string, onLocalModule: (fileUrl: string) => void): void {
  const local = new Set([moduleFileUrl(configUrl)]);
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === "portcullis") return { url: PACKAGE_ENTRY_URL.href, shortCircuit: true };
      const resolved = asModule(nextResolve(specifier, context));
      if (context.parentURL && local.has(moduleFileUrl(context.parentURL)) && resolved.url.startsWith("file:") && !resolved.url.includes("/node_modules/")) {
        const fileUrl = moduleFileUrl(resolved.url);
        if (!local.has(fileUrl)) {
          local.add(fileUrl);
          onLocalModule(fileUrl);
        }
      }
      return resolved;
    },
  });
}
