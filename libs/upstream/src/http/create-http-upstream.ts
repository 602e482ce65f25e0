import axios from 'axios';
import type { UpstreamMetrics } from '../upstream-metrics';
import type { UpstreamStates } from '../upstream-states';
import { HttpUpstream, type HttpUpstreamOptions } from './http-upstream';
import { UndiciTransport } from './undici-adapter';
import { shapeForUpstreamCalls, UPSTREAM_AXIOS_DEFAULTS } from './upstream-axios';

/** An HTTP upstream with its own transport, and how to let both go. */
export interface OwnedHttpUpstream {
  readonly upstream: HttpUpstream;
  /** Stops resolving and closes the upstream's pooled connections. */
  close(): Promise<void>;
}

/**
 * One HTTP upstream of a route table: its own axios instance over its own undici keep-alive pool
 * (pools are per upstream, so that retiring an upstream closes exactly its connections).
 */
export function createHttpUpstream(
  options: HttpUpstreamOptions & { connectTimeoutMs: number },
  metrics: UpstreamMetrics,
  states: UpstreamStates,
): OwnedHttpUpstream {
  const transport = new UndiciTransport(options.connectTimeoutMs);
  const instance = axios.create(UPSTREAM_AXIOS_DEFAULTS);
  shapeForUpstreamCalls(instance, transport.adapter);
  const upstream = new HttpUpstream(instance, options, metrics, states);
  return {
    upstream,
    async close() {
      upstream.stop();
      await transport.close();
    },
  };
}
