/**
 * Prompt APIs at compile time: what a `prompts` entry compiles to (its routes, the IR the processor
 * reads, the processing mode that buffers its answer) and the located errors for schemas ajv
 * cannot use, placeholders no caller could fill, taken paths and token limits above the alias's.
 * Through Envoy: test/e2e/ai-prompts.test.ts.
 */
import { describe, expect, it } from "vitest";
import { fill, placeholders } from "../../src/ai/prompts/template.ts";
import { renderByType } from "../../src/xds/render.ts";
import { AI_HEAD, APP_KEYS, yamlCompiler } from "../support/yaml-compile.ts";

const compile = yamlCompiler(AI_HEAD, { env: { APP_KEYS, K: "sk-never-printed" } });
const found = (result: Awaited<ReturnType<typeof compile>>) => result.diagnostics.map((d) => [d.code, d.severity, d.location?.line]);

const AI = `providers:
  oai: { type: openai, apiKey: { env: K } }
  other: { type: openai, apiKey: { env: K } }
  svc: { type: service, endpoints: ["127.0.0.1:3000"], plaintext: { reason: "a test backend on loopback" } }
ai:
  access: { allow: [{ identity: apps }] }
  models:
    fast: { targets: [{ provider: oai, model: gpt-4o-mini }], maxTokens: 100 }
    spare: { targets: [{ provider: other, model: gpt-4o }] }
apis:
  - name: shop
    owner: team
    basePath: /shop
    versions:
      v1: { state: published, access: { allow: [{ identity: apps }] }, routes: [{ name: list, match: { path: /items }, provider: svc }] }
`;
const PROMPT_HEAD = `prompts:
  - name: sum
    model: fast
    access: { allow: [{ identity: apps }] }
`;

describe("prompt APIs at compile time", () => {
  it("compile to an AI route at the prompt's path (POST, its own access) and the alias's provider routes there, with the answer buffered", async () => {
    const result = await compile(`${AI}prompts:
  - name: sum
    path: /prompts/sum
    model: fast
    system: Be brief.
    template: "Summarize: {{ text }}"
    input: { type: object, properties: { text: { type: string } }, required: [text] }
    output: { type: object, properties: { summary: { type: string } } }
    maxTokens: 60
    access: { public: { reason: "a demo prompt anyone may call" } }
`);
    expect(found(result).filter(([, severity]) => severity === "error")).toEqual([]);
    const ir = result.ir!;
    expect(ir.routes.filter((r) => r.ai?.prompt).map((r) => [r.id, r.match.path, r.match.methods, r.action.kind, r.access.kind])).toEqual([
      ["@ai.prompt.sum.chat.oai", "/prompts/sum", ["POST"], "forward", "public"],
      ["@ai.prompt.sum", "/prompts/sum", ["POST"], "ai-processor", "public"],
    ]);
    expect(ir.ai!.prompts).toEqual([{
      name: "sum",
      path: "/prompts/sum",
      model: "fast",
      template: "Summarize: {{ text }}",
      system: "Be brief.",
      // Closed by default: fields the schema does not declare are refused.
      input: { type: "object", properties: { text: { type: "string" } }, required: ["text"], additionalProperties: false },
      output: { type: "object", properties: { summary: { type: "string" } } },
      maxTokens: 60,
      jsonSchemaMode: true,
    }]);
    // Only the prompt's two routes buffer the answer; chat answers stream.
    const rendered = [...renderByType(result.snapshot!).values()].join("\n");
    expect(rendered.match(/response_body_mode: BUFFERED/g)).toHaveLength(2);
  });

  it("report an input or output schema ajv refuses in strict mode, where it is written", async () => {
    const result = await compile(`${AI}${PROMPT_HEAD}    path: /prompts/sum
    template: "{{text}}"
    input: { type: object, properties: { text: { type: strin } } }
    output: { type: object, propertys: {} }
`);
    expect(found(result)).toEqual([["PCL4170", "error", 27], ["PCL4171", "error", 28]]);
    expect(result.diagnostics[0]!.message).toContain("data/properties/text/type must be equal to one of the allowed values");
    expect(result.diagnostics[1]!.message).toContain('unknown keyword: "propertys"');
  });

  it("report a placeholder the input schema does not declare, and an input schema that is not an object's", async () => {
    const undeclared = await compile(`${AI}${PROMPT_HEAD}    path: /prompts/sum
    template: "{{text}} in {{lang}}"
    input: { type: object, properties: { text: { type: string } } }
`);
    expect(found(undeclared)).toEqual([["PCL4172", "error", 26]]);
    expect(undeclared.diagnostics[0]!.message).toContain("{{lang}}");
    expect(undeclared.diagnostics[0]!.hint).toBe('Declare "lang" under input.properties, or use one of {{text}}.');
    const notObject = await compile(`${AI}${PROMPT_HEAD}    path: /prompts/sum
    template: "x"
    input: { type: string }
`);
    expect(found(notObject)).toEqual([["PCL4173", "error", 27]]);
  });

  it("report a path another route takes, a maxTokens above the alias's and an alias that does not exist", async () => {
    const taken = await compile(`${AI}${PROMPT_HEAD}    path: /ai/v1/chat/completions
    template: "x"
    input: { type: object }
    maxTokens: 101
`);
    expect(found(taken)).toEqual([["PCL4174", "error", 25], ["PCL4175", "error", 28]]);
    const apiPath = await compile(`${AI}${PROMPT_HEAD}    path: /v1/shop/items
    template: "x"
    input: { type: object }
`);
    expect(found(apiPath)).toEqual([["PCL4174", "error", 25]]);
    const noAlias = await compile(`${AI}prompts:
  - { name: sum, path: /prompts/sum, model: nope, template: x, input: { type: object }, access: { allow: [{ identity: apps }] } }
`);
    expect(found(noAlias)).toEqual([["PCL3005", "error", 22]]);
  });
});

describe("prompt templates", () => {
  it("fill each placeholder once: values are text, never templates", () => {
    expect(placeholders("{{a}} {{ b }} {{a}} {{}} {x}")).toEqual(["a", "b"]);
    expect(fill("{{a}} then {{ b }}", { a: "{{b}}", b: { n: 1 } })).toBe('{{b}} then {"n":1}');
    expect(fill("[{{a}}]", {})).toBe("[]");
    expect(fill("{{toString}}", {})).toBe("");
  });
});
