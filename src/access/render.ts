/** The access matrix as text (one block per route), Markdown (one table per route) or JSON. */
import type { AccessMatrix, MatrixCell } from "./matrix.ts";

export type MatrixFormat = "text" | "markdown" | "json";

const MARKS = { allow: "allow", gone: "gone (410)", unreachable: "unreachable" } as const;
const mark = (cell: MatrixCell) => (cell.outcome === "deny" ? `deny (${cell.status})` : MARKS[cell.outcome]);

interface Block {
  readonly methods: readonly string[];
  readonly title: string;
  readonly cells: readonly MatrixCell[];
}

/** One block per route, or per group of its methods when they are decided differently. */
function blocks(matrix: AccessMatrix): Block[] {
  const out: { methods: string[]; title: string; cells: MatrixCell[]; key: string }[] = [];
  for (const column of matrix.columns) {
    const cells = matrix.cells.filter((cell) => cell.route === column.route && cell.method === column.method);
    const key = `${column.route}\0${cells.map((cell) => `${cell.status} ${cell.reason}`).join("\0")}`;
    const same = out.find((block) => block.key === key);
    if (same) {
      same.methods.push(column.method);
      continue;
    }
    const headers = column.headers.map((h) => (h.absent ? `no ${h.name}` : h.value === undefined ? `${h.name} present` : `${h.name}: ${h.value}`));
    const title = `${column.path}${column.match === "prefix" ? "/**" : ""}${headers.length ? ` [${headers.join(", ")}]` : ""}  (${column.route})`;
    out.push({ methods: [column.method], title, cells, key });
  }
  return out;
}

function text(matrix: AccessMatrix): string {
  const lines = [`Access matrix of gateway ${matrix.gateway}: ${matrix.callers.length} callers × ${matrix.columns.length} route methods`];
  const width = Math.max(...matrix.callers.map((caller) => caller.id.length), 6);
  for (const { methods, title, cells } of blocks(matrix)) {
    lines.push("", `${methods.join("|")} ${title}`);
    for (const cell of cells) lines.push(`  ${cell.caller.padEnd(width)}  ${mark(cell).padEnd(11)}  ${cell.reason}`);
  }
  return `${lines.join("\n")}\n`;
}

const escapeCell = (value: string) => value.replace(/\|/g, "\\|");

function markdown(matrix: AccessMatrix): string {
  const lines = [`# Access matrix: ${matrix.gateway}`];
  for (const { methods, title, cells } of blocks(matrix)) {
    lines.push("", `## ${methods.join(" ")} ${escapeCell(title)}`, "", "| caller | decision | why |", "| --- | --- | --- |");
    for (const cell of cells) lines.push(`| \`${escapeCell(cell.caller)}\` | ${mark(cell)} | ${escapeCell(cell.reason)} |`);
  }
  return `${lines.join("\n")}\n`;
}

export function renderMatrix(matrix: AccessMatrix, format: MatrixFormat): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(matrix, null, 2)}\n`;
    case "markdown":
      return markdown(matrix);
    case "text":
      return text(matrix);
  }
}
