/** The catalog of one or more compiled gateways: what `portcullis catalog` writes and `serve` shows at /catalog. */
import { accessMatrix } from "../access/matrix.ts";
import type { Diagnostic } from "../config/diagnostics.ts";
import type { Locate } from "../config/locate.ts";
import type { GatewayIR } from "../model/ir.ts";
import { type CatalogData, catalogGateway } from "./model.ts";
import { readOpenApiDocuments } from "./openapi.ts";

export interface CatalogSource {
  readonly ir: GatewayIR;
  /** The config file: OpenAPI documents are relative to its directory, and findings name it. */
  readonly file: string;
  readonly locate?: Locate;
}

export function buildCatalog(sources: readonly CatalogSource[]): { data: CatalogData; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const gateways = [...sources]
    .sort((a, b) => a.ir.name.localeCompare(b.ir.name))
    .map(({ ir, file, locate }) => {
      const openapi = readOpenApiDocuments(ir.apis, file, locate);
      diagnostics.push(...openapi.diagnostics);
      return catalogGateway(ir, accessMatrix(ir), openapi.documents);
    });
  return { data: { gateways }, diagnostics };
}
