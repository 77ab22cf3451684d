/** The audit settings of a config, for the commands that read or fill its store without serving it. */
import { compileGatewayFile } from "../compile.ts";
import type { Diagnostic } from "../config/diagnostics.ts";
import { hasErrors } from "../config/diagnostics.ts";
import { UserError } from "../errors.ts";
import type { AuditStoreIR, GatewayIR } from "../model/ir.ts";

export interface AuditedConfig {
  readonly file: string;
  readonly ir: GatewayIR;
  readonly store: AuditStoreIR;
}

/** Compiles the config without reading its secrets; diagnostics go to `report` and errors throw. */
export async function auditedConfig(path: string | undefined, report: (diagnostics: readonly Diagnostic[]) => void): Promise<AuditedConfig> {
  const outcome = await compileGatewayFile(path, { secrets: "placeholder" });
  if (hasErrors(outcome.diagnostics)) {
    report(outcome.diagnostics);
    throw new UserError(`${outcome.file} has errors; fix them to read its audit settings`);
  }
  const ir = outcome.ir;
  if (!ir?.accessLog.store) throw new UserError(`${outcome.file} turns the audit store off (audit.store: false); there is no store to use`);
  return { file: outcome.file, ir, store: ir.accessLog.store };
}
