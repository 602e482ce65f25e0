import { KEEP_ALIVE_TIMEOUT_MS } from '@app/http-server';
import {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type InternalAxiosRequestConfig,
} from 'axios';
import { Agent } from 'undici';

/** The error code of a connection that was not established within the connect timeout. */
export const CONNECT_TIMEOUT = 'ECONNECTTIMEOUT';

/**
 * Idle pooled sockets are closed well before the upstream's keep-alive timeout (our servers keep
 * idle connections 65 s, KEEP_ALIVE_TIMEOUT_MS; this client 32.5 s): the server's timeout must stay
 * the larger, so the gateway never sends a request on a socket the server is closing. A draining
 * upstream answers `Connection: close` from the start of its termination (preStop drain hook), and
 * undici drops such a connection after its answer instead of pooling it (docs/operations.md).
 */
export const IDLE_SOCKET_TIMEOUT_MS = KEEP_ALIVE_TIMEOUT_MS / 2;

/** undici error codes that mean "no answer within the time budget". */
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The transport under the upstreams' axios instances: undici's keep-alive pools (one per
 * endpoint address) instead of Node's http.Agent, which cost the gateway about a fifth of its CPU
 * per proxied request (profiled, see docs/benchmarks.md). Only what our upstream calls use is
 * supported: a string, Buffer or absent body, any status (settled by `validateStatus`), text
 * responses (axios parses JSON as usual) or bytes (`responseType: 'arraybuffer'`). Failures keep Node's error vocabulary, which the retry rules read
 * (see transport-failure.ts): connect errors and resets carry their `code` and `syscall`, a clean
 * close before the answer becomes a `ECONNRESET` without syscall ("socket hang up"), a timeout
 * `ECONNABORTED` as in axios.
 */
export class UndiciTransport {
  private readonly agent: Agent;

  constructor(connectTimeoutMs: number) {
    this.agent = new Agent({
      connect: { timeout: connectTimeoutMs },
      keepAliveTimeout: IDLE_SOCKET_TIMEOUT_MS,
      keepAliveMaxTimeout: IDLE_SOCKET_TIMEOUT_MS,
    });
  }

  readonly adapter: AxiosAdapter = async (config) => {
    const { origin, path } = target(config);
    const timeout = config.timeout || undefined;
    try {
      const response = await this.agent.request({
        origin,
        path,
        method: (config.method ?? 'get').toUpperCase() as 'POST',
        headers: headersOf(config),
        body:
          typeof config.data === 'string' || Buffer.isBuffer(config.data) ? config.data : undefined,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      // Proxied bodies travel as bytes; the seed's JSON calls as text (axios parses it).
      const data =
        config.responseType === 'arraybuffer'
          ? Buffer.from(await response.body.arrayBuffer())
          : await response.body.text();
      const settled = {
        data,
        status: response.statusCode,
        statusText: '',
        headers: new AxiosHeaders(response.headers as Record<string, string>),
        config,
        request: {},
      };
      if (config.validateStatus && !config.validateStatus(response.statusCode)) {
        throw new AxiosError(
          `Request failed with status code ${response.statusCode}`,
          AxiosError.ERR_BAD_RESPONSE,
          config,
          {},
          settled,
        );
      }
      return settled;
    } catch (err) {
      throw err instanceof AxiosError ? err : transportError(err, config);
    }
  };

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * Origin and path of the call. Upstream calls use absolute URLs (an endpoint's base URL and a path):
 * split as strings, without a URL object per request; anything else goes through URL.
 */
function target(config: InternalAxiosRequestConfig): { origin: string; path: string } {
  const url = config.url ?? '';
  if (!config.baseURL && /^https?:\/\/[^/?#]+\/[^#]*$/.test(url)) {
    const slash = url.indexOf('/', url.indexOf('//') + 2);
    return { origin: url.slice(0, slash), path: url.slice(slash) };
  }
  const parsed = new URL(url, config.baseURL);
  return { origin: parsed.origin, path: parsed.pathname + parsed.search };
}

function headersOf(config: InternalAxiosRequestConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers.toJSON() as Record<string, unknown>)) {
    if (value !== undefined && value !== null && value !== false) headers[name] = String(value);
  }
  return headers;
}

/** Node's error vocabulary for what undici reports (see the class comment). */
function transportError(err: unknown, config: InternalAxiosRequestConfig): AxiosError {
  const cause = err as NodeJS.ErrnoException;
  let code = cause.code ?? 'ERR_NETWORK';
  let syscall = cause.syscall;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    code = CONNECT_TIMEOUT;
    syscall = 'connect';
  } else if (code === 'UND_ERR_SOCKET') {
    // The upstream closed the connection after reading the request, before answering.
    code = 'ECONNRESET';
    syscall = undefined;
  } else if (TIMEOUTS.has(code)) {
    code = AxiosError.ECONNABORTED;
  }
  const error = new AxiosError(cause.message, code, config, {}) as AxiosError & {
    syscall?: string;
  };
  error.syscall = syscall;
  error.cause = cause;
  return error;
}
