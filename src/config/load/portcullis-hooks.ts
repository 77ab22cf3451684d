import { registerHooks } from "node:module";
import { PACKAGE_ENTRY_URL } from "./package-entry.ts";

let registered = false;

/**
 * Makes `import ... from "portcullis"` in a config file run this Portcullis, whether or not the
 * config's own directory has the package installed: the CLI checks a config with its own model.
 */
export function mapPortcullisSpecifier(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === "portcullis") return { url: PACKAGE_ENTRY_URL.href, shortCircuit: true };
      return nextResolve(specifier, context);
    },
  });
}
