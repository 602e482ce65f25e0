import type { AxiosAdapter, AxiosInstance, CreateAxiosDefaults } from 'axios';

/**
 * What every upstream call shares, set once on the upstream's axios instance so that a call passes
 * only its own headers and timeout: any status is an answer (HttpUpstream sorts them out), and a
 * 3xx too (no follow-redirects wrapper).
 */
export const UPSTREAM_AXIOS_DEFAULTS: CreateAxiosDefaults = {
  validateStatus: () => true,
  maxRedirects: 0,
};

/**
 * Points the instance at the upstream's transport, with flat default headers: axios merges its
 * stock `common` and per-method header sets into every call otherwise, about a third of its cost
 * per call (measured, docs/performance.md).
 */
export function shapeForUpstreamCalls(axios: AxiosInstance, adapter: AxiosAdapter): void {
  axios.defaults.adapter = adapter;
  axios.defaults.headers = {
    accept: 'application/json',
    'content-type': 'application/json',
  } as unknown as AxiosInstance['defaults']['headers'];
}
