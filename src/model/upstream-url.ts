/** The URL of an AI provider or MCP server, split into what its cluster and routes are made of. */

export interface UpstreamUrl {
  readonly tls: boolean;
  /** Without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  /** The Host header the upstream expects: `api.openai.com`, `127.0.0.1:8080`. */
  readonly hostHeader: string;
  readonly pathname: string;
}

/**
 * Undefined when the URL is malformed (the config stage reports that, PCL3025) or carries what the
 * gateway would not send as written: `refuse` is told which ("credentials", "a query", "a fragment").
 */
export function parseUpstreamUrl(text: string, refuse: (carried: string) => void): UpstreamUrl | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.search || url.hash) {
    refuse(url.username || url.password ? "credentials" : url.search ? "a query" : "a fragment");
    return undefined;
  }
  const tls = url.protocol === "https:";
  return { tls, host: url.hostname.replace(/^\[|\]$/g, ""), port: url.port ? Number(url.port) : tls ? 443 : 80, hostHeader: url.host, pathname: url.pathname };
}
