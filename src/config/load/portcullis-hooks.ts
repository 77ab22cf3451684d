import { registerHooks } from "node:module";
import { PACKAGE_ENTRY_URL } from "./package-entry.ts";

let registered = false;

/** Query parameter that tags one evaluation of a config; local modules it imports inherit it. */
export const EVALUATION_PARAM = "portcullis-evaluation";

/** The parent's evaluation tag, carried to a local (non node_modules) file it imports. */
function tagged(url: string, parentURL: string | undefined): string {
  if (!parentURL || !url.startsWith("file:") || url.includes("/node_modules/")) return url;
  const tag = new URL(parentURL).searchParams.get(EVALUATION_PARAM);
  if (tag === null) return url;
  const resolved = new URL(url);
  resolved.searchParams.set(EVALUATION_PARAM, tag);
  return resolved.href;
}

/**
 * Makes `import ... from "portcullis"` in a config file run this Portcullis, whether or not the
 * config's own directory has the package installed: the CLI checks a config with its own model.
 * Local modules a config imports are re-evaluated with it (see EVALUATION_PARAM).
 */
export function mapPortcullisSpecifier(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === "portcullis") return { url: PACKAGE_ENTRY_URL.href, shortCircuit: true };
      const resolved = nextResolve(specifier, context);
      return { ...resolved, url: tagged(resolved.url, context.parentURL) };
    },
  });
}
