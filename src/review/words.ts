/** Small English helpers shared by the review sentences. */

/** `a`, `a and b`, `a, b and c`. */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? "";
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** `per second`, `per 90 s`: how a period in seconds reads. */
export function perPeriod(seconds: number): string {
  const unit = { 1: "second", 60: "minute", 3600: "hour", 86400: "day" }[seconds];
  return unit ? `per ${unit}` : `per ${seconds} s`;
}

/** A list as a quoted, comma-separated set, or `none`. */
export const listed = (values: readonly string[]): string => (values.length ? values.join(", ") : "none");

/** Values of `a` that are not in `b`, sorted. */
export const missingFrom = (a: readonly string[], b: readonly string[]): string[] => a.filter((value) => !b.includes(value)).sort();

/** `GET /v1/items/{id}`: a route as written (its methods as listed, or any). */
export const routeWords = (route: { readonly match: { readonly methods: readonly string[]; readonly path: string } }) =>
  `${route.match.methods.length ? joinWords(route.match.methods) : "any method"} ${route.match.path}`;

/** `orders v2`, or `API orders` for an API's unversioned routes (version `-`). */
export const versionWords = (api: string, version: string) => (version === "-" ? `API ${api}` : `${api} ${version}`);
