/**
 * The processor the MCP end-to-end gateways run in this process, as serve runs it: one McpGateways
 * it learns each compiled gateway into (`gateways.apply(ir)`), and every audited tool call kept in
 * `audit`, in the order the calls ended (and handed to `also`, e.g. the usage database).
 */
import { AiGateways } from "../../src/ai/gateways.ts";
import { type AiProcessor, startAiProcessor } from "../../src/ai/processor-server.ts";
import type { McpAuditRecord } from "../../src/mcp/audit.ts";
import { McpGateways } from "../../src/mcp/gateways.ts";
import { silentLogger } from "../../src/server/log.ts";

export interface McpProcessorUnderTest {
  readonly processor: AiProcessor;
  readonly gateways: McpGateways;
  readonly audit: McpAuditRecord[];
}

export async function startMcpProcessor(port: number, also?: (entry: McpAuditRecord) => void): Promise<McpProcessorUnderTest> {
  const gateways = new McpGateways();
  const audit: McpAuditRecord[] = [];
  const processor = await startAiProcessor({
    address: { kind: "tcp", host: "127.0.0.1", port },
    gateways: new AiGateways(),
    mcp: {
      gateways,
      audit: {
        record: (entry) => {
          also?.(entry);
          audit.push(entry);
        },
      },
    },
    deps: { usage: { record: () => {} } },
    log: silentLogger,
  });
  return { processor, gateways, audit };
}
