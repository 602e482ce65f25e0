/** One entry of an upstream URL list such as WEBAPP_URL: a name (or address) and where to send. */
export interface UpstreamTarget {
  /** Host name or IP literal, without IPv6 brackets: what gets resolved. */
  hostname: string;
  port: number;
  /** `host[:port]` as configured: the Host header every request to this target carries. */
  authority: string;
  /** Path prefix of the service, without a trailing slash ('' for none). */
  basePath: string;
}

/** Parses `http://name:5000,http://<ip>:5000/api` (validated by the env schema). */
export function parseUpstreamUrls(value: string): UpstreamTarget[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const url = new URL(item);
      return {
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: Number(url.port || 80),
        authority: url.host,
        basePath: url.pathname.replace(/\/+$/, ''),
      };
    });
}
