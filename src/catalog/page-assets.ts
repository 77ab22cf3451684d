/**
 * The catalog page's own style and script, inlined into the page: the site has no external asset,
 * so it works offline, from a file:// URL or behind the admin port, and its Content-Security-Policy
 * admits exactly this script by its hash.
 */
import { createHash } from "node:crypto";

export const PAGE_STYLE = `
:root { color-scheme: light dark; --muted: #667; --line: #d8dbe2; --accent: #2456c8; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1.5rem; }
header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; border-bottom: 1px solid var(--line); padding-bottom: 1rem; }
header h1 { margin: 0; font-size: 1.5rem; }
#search { flex: 1; min-width: 16rem; font: inherit; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: .35rem; }
#result-count { color: var(--muted); }
h2 { margin-top: 2rem; } h3 { margin: 1.5rem 0 .5rem; color: var(--muted); font-size: 1rem; text-transform: uppercase; letter-spacing: .05em; }
article.api { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; margin: .75rem 0; }
article.api h4 { margin: 0 0 .25rem; font-size: 1.15rem; }
.version { margin-top: .75rem; }
.badge { display: inline-block; border-radius: 1rem; padding: 0 .55rem; font-size: .8rem; font-weight: 600; }
.badge-published { background: #d9f2df; color: #17602b; } .badge-deprecated { background: #fff0c7; color: #7a5200; }
.badge-retired { background: #f7d7d7; color: #8a1c1c; } .badge-draft { background: #e4e6eb; color: #444; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; font-size: .9rem; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: .3rem .4rem; vertical-align: top; }
code { font-size: .85rem; } ul.callers { margin: 0; padding-left: 1rem; }
.muted { color: var(--muted); } [hidden] { display: none !important; }
`;

/** Filters APIs as the user types: every word must appear in the API's searchable text. */
export const PAGE_SCRIPT = `
(() => {
  const search = document.getElementById("search");
  const count = document.getElementById("result-count");
  const apis = [...document.querySelectorAll("article.api")];
  const apply = () => {
    const words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    for (const api of apis) {
      const hit = words.every((word) => api.dataset.search.includes(word));
      api.hidden = !hit;
      if (hit) shown++;
    }
    for (const team of document.querySelectorAll("section.team")) team.hidden = !team.querySelector("article.api:not([hidden])");
    count.textContent = shown + (shown === 1 ? " API" : " APIs");
  };
  search.addEventListener("input", apply);
  apply();
})();
`;

export const scriptHash = (script: string): string => `sha256-${createHash("sha256").update(script).digest("base64")}`;
