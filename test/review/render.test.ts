/** The Markdown report fits in a pull-request comment: long resource listings are cut, the sentences never. */
import { describe, expect, it } from "vitest";
import { renderReview } from "../../src/review/render.ts";

describe("markdown report", () => {
  it("cuts the Envoy resource lines after 200 and says how many more there are", () => {
    const resources = Array.from({ length: 250 }, (_, i) => `+ added    clusters/c${i}`);
    const changes = [{ area: "access" as const, risk: "loosens" as const, kind: "access.public", message: "GET /x becomes public (reason: a_b*c)", path: [] }];
    const markdown = renderReview({ gateway: "g", base: "main", notes: [], changes, resources }, "markdown", "/");
    expect(markdown).toContain("- **access**: GET /x becomes public (reason: a\\_b\\*c)\n");
    expect(markdown).toContain("<details><summary>Envoy resources (250 changed)</summary>");
    expect(markdown).toContain("+ added    clusters/c199\n… 50 more lines: run portcullis diff to see them all\n```");
    expect(markdown).not.toContain("clusters/c200");
  });
});
