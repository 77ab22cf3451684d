/**
 * The catalog as one self-contained HTML page, rendered here rather than in the browser so that
 * it reads without JavaScript; the inline script only filters. Every value from the config is
 * escaped: descriptions and names are the config author's text, not markup.
 */
import type { CatalogApi, CatalogData, CatalogGateway, CatalogModel, CatalogRoute, CatalogVersion } from "./model.ts";
import { PAGE_SCRIPT, PAGE_STYLE, scriptHash } from "./page-assets.ts";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (value: string | number): string => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function lifecycle(version: CatalogVersion): string {
  const notes = [
    version.deprecatedOn ? `deprecated on ${esc(version.deprecatedOn)}` : "",
    version.sunset ? `<span class="sunset">sunset ${esc(version.sunset)}</span>` : "",
    version.successor ? `successor ${esc(version.successor)}` : "",
  ].filter(Boolean);
  return `<span class="badge badge-${version.state}" data-state="${version.state}">${version.state}</span>${notes.length ? ` <span class="muted">${notes.join(" · ")}</span>` : ""}`;
}

function routeRows(route: CatalogRoute): string {
  const path = `<code>${esc(route.path)}${route.match === "prefix" ? "/…" : ""}</code>`;
  const urls = route.urls.map((url) => `<code>${esc(url)}</code>`).join("<br>");
  const limits = route.rateLimits.map(esc).join("<br>") || '<span class="muted">none</span>';
  return route.access
    .map(({ method, allowed }) => {
      const who = route.publicReason !== undefined ? `<em>public</em>: ${esc(route.publicReason)}` : allowed.length ? `<ul class="callers">${allowed.map((caller) => `<li data-caller="${esc(caller)}"><code>${esc(caller)}</code></li>`).join("")}</ul>` : '<span class="muted">no one</span>';
      return `<tr class="route" data-route="${esc(route.id)}" data-method="${method}"><td>${method}</td><td>${path}</td><td>${urls}</td><td class="access">${who}</td><td>${limits}</td></tr>`;
    })
    .join("\n");
}

const routeTable = (routes: readonly CatalogRoute[]): string =>
  `<table><thead><tr><th>Method</th><th>Path</th><th>URL</th><th>Who may call</th><th>Rate limits</th></tr></thead><tbody>\n${routes.map(routeRows).join("\n")}\n</tbody></table>`;

function version(v: CatalogVersion): string {
  const table = v.routes.length
    ? routeTable(v.routes)
    : `<p class="muted">${v.state === "draft" ? "Draft: not served yet." : v.state === "retired" ? "Retired: every request answers 410 Gone." : "No routes served."}</p>`;
  return `<div class="version" data-version="${esc(v.name)}"><strong>${esc(v.name)}</strong> ${lifecycle(v)}\n${table}</div>`;
}

function openapi(api: CatalogApi): string {
  const doc = api.openapi;
  if (!doc) return "";
  const rows = doc.operations.map((op) => `<tr><td>${op.method}</td><td><code>${esc(op.path)}</code></td><td>${esc(op.summary ?? op.operationId ?? "")}${op.deprecated ? ' <span class="badge badge-deprecated">deprecated</span>' : ""}</td></tr>`);
  const title = [doc.title, doc.version].filter(Boolean).map((part) => esc(part!)).join(" ");
  return `<details class="openapi"><summary>OpenAPI ${esc(doc.specVersion)}${title ? `: ${title}` : ""} (<code>${esc(doc.file)}</code>, ${doc.operations.length} operations)</summary><table><thead><tr><th>Method</th><th>Path</th><th>Summary</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`;
}

function grants(api: CatalogApi): string {
  if (api.grants.length === 0) return "";
  const rows = api.grants.map(
    (g) =>
      `<tr class="grant" data-grantee="${esc(g.grantee)}"><td>${esc(g.grantee)}</td><td>${esc(g.version)}${g.routes ? ` (${g.routes.map(esc).join(", ")})` : ""}</td><td>${g.active ? `until ${esc(g.expires)}` : `<span class="badge badge-retired">expired ${esc(g.expires)}</span>`}</td><td>${esc(g.requester)}, approved by ${esc(g.approver)}: ${esc(g.reason)}</td></tr>`,
  );
  return `<table class="grants"><thead><tr><th>Granted to</th><th>Version</th><th>Holds access</th><th>Asked for, approved, why</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** Lower-case text the search matches: names, team, description, paths, states and callers. */
function searchText(api: CatalogApi): string {
  const parts = [api.name, api.owner, api.description ?? "", ...api.grants.map((g) => g.grantee), ...[...api.versions, { name: "unversioned", state: "", routes: api.unversioned }].flatMap((v) => [v.name, v.state, ...v.routes.flatMap((r) => [r.path, r.id, ...r.access.flatMap((a) => a.allowed)])])];
  return parts.join(" ").toLowerCase();
}

function apiArticle(gateway: string, api: CatalogApi): string {
  return `<article class="api" id="api-${esc(gateway)}-${esc(api.name)}" data-api="${esc(api.name)}" data-search="${esc(searchText(api))}">
<h4>${esc(api.name)}</h4>
${api.description ? `<p>${esc(api.description)}</p>` : ""}<p class="muted">Owned by ${esc(api.owner)}</p>
${openapi(api)}
${api.versions.map(version).join("\n")}
${api.unversioned.length ? `<div class="version" data-version="-"><strong>Unversioned</strong> <span class="muted">served at the base path, outside every version</span>\n${routeTable(api.unversioned)}</div>` : ""}
${grants(api)}
</article>`;
}

function models(list: readonly CatalogModel[], basePath: string | undefined): string {
  if (list.length === 0) return "";
  const price = (value: number | undefined) => (value === undefined ? '<span class="muted">unknown</span>' : `$${value}`);
  const rows = list.map((m) => `<tr data-alias="${esc(m.alias)}"><td><code>${esc(m.alias)}</code></td><td>${esc(m.provider)}</td><td><code>${esc(m.model)}</code></td><td>${price(m.inputPerMillion)}</td><td>${price(m.outputPerMillion)}</td><td>${m.maxTokens ?? ""}</td></tr>`);
  return `<section class="models"><h3>AI models${basePath ? ` at <code>${esc(basePath)}</code>` : ""}</h3><table><thead><tr><th>Model alias</th><th>Provider</th><th>Provider model</th><th>Input / 1M tokens</th><th>Output / 1M tokens</th><th>Max tokens</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

function gateway(g: CatalogGateway): string {
  const teams = g.teams.map((team) => `<section class="team" data-team="${esc(team.name)}"><h3>${esc(team.name)}</h3>\n${team.apis.map((api) => apiArticle(g.name, api)).join("\n")}\n</section>`);
  const urls = g.baseUrls.map((url) => `<code>${esc(url)}</code>`).join(", ");
  return `<section class="gateway" data-gateway="${esc(g.name)}"><h2>Gateway ${esc(g.name)}</h2><p class="muted">Base URLs: ${urls || "none"}</p>\n${teams.join("\n")}\n${models(g.models, g.aiBasePath)}</section>`;
}

/** The whole page. Deterministic: no time stamp, stable order. */
export function renderCatalogPage(data: CatalogData): string {
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src '${scriptHash(PAGE_SCRIPT)}'; base-uri 'none'; form-action 'none'`;
  const apiCount = data.gateways.reduce((sum, g) => sum + g.teams.reduce((n, t) => n + t.apis.length, 0), 0);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>API catalog: ${esc(data.gateways.map((g) => g.name).join(", "))}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>API catalog</h1><input id="search" type="search" placeholder="Search APIs, teams, paths, callers" aria-label="Search"><span id="result-count">${apiCount} APIs</span></header>
<main>
${data.gateways.map(gateway).join("\n")}
</main>
<footer class="muted"><p>Generated by <code>portcullis catalog</code> from the gateway config. Who may call each route comes from the same access matrix as <code>portcullis explain</code>.</p></footer>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
