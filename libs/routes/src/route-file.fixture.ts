import { join } from 'node:path';
import type { RouteDefaults } from './route-defaults';
import type { UpstreamTraffic } from './route-model';

/** The repository root: relative .proto paths of the test files resolve against it. */
export const REPO_ROOT = join(__dirname, '../../..');

/** Global settings unlike the gateway's defaults, so that a test sees where each value came from. */
export const TEST_DEFAULTS: RouteDefaults = {
  auth: { scheme: 'api-key', scopes: [] },
  rateLimitWindowMs: 60_000,
  bodyLimitBytes: 2048,
  traffic: { http: traffic(3000), grpc: traffic(4000) },
};

function traffic(timeoutMs: number): UpstreamTraffic {
  return {
    timeoutMs,
    connectTimeoutMs: 700,
    retry: { maxAttempts: 4, budgetPercent: 10, budgetMaxTokens: 30, perTryTimeoutMs: 900 },
    breaker: {
      consecutiveUnavailable: 6,
      errorThresholdPercent: 40,
      volumeThreshold: 25,
      windowMs: 12_000,
      resetTimeoutMs: 8000,
    },
    outlier: {
      consecutiveFailures: 7,
      intervalMs: 9000,
      baseEjectionMs: 4000,
      maxEjectionMs: 20_000,
      maxEjectionPercent: 30,
    },
    keepalive: { timeMs: 11_000, timeoutMs: 3000 },
  };
}

/** A route file as a plain object, loosely typed: tests write wrong values into it on purpose. */
export interface TestFile {
  formatVersion: number;
  upstreams: Record<string, TestUpstream>;
  routes: TestRoute[];
}

interface TestUpstream {
  kind: string;
  urls?: string[];
  rewrite?: { prefix: string; replacement: string };
  headers?: { add?: Record<string, string>; remove?: string[] };
  target?: string;
  protos?: string[];
  httpRulesFromProtos?: boolean;
  traffic?: { timeoutMs?: number; connectTimeoutMs?: number } & Partial<
    Record<'retry' | 'breaker' | 'outlier' | 'keepalive', Record<string, number>>
  >;
}

interface TestRoute {
  name?: string;
  match: {
    methods?: string[];
    path: { exact?: string; prefix?: string; template?: string; trailingSlash?: string };
    hosts?: string[];
    headers?: Record<string, unknown>;
    query?: Record<string, unknown>;
    scheme?: string;
  };
  upstream?: string;
  grpc?: { service: string; method: string };
  auth?: { scheme: string; scopes?: string[] };
  rateLimit?: { limit: unknown; windowMs?: number };
  timeoutMs?: number;
  retry?: { idempotent?: boolean; maxAttempts?: number; perTryTimeoutMs?: number };
  bodyLimitBytes?: number;
  bodySchema?: unknown;
  [unknownField: string]: unknown;
}

/** A route's bodySchema using a local reference and a format. */
export const ORDER_SCHEMA = {
  type: 'object',
  properties: {
    item: { $ref: '#/$defs/sku' },
    quantity: { type: 'integer', minimum: 1 },
    deliverBy: { type: 'string', format: 'date' },
  },
  required: ['item', 'quantity'],
  additionalProperties: false,
  $defs: { sku: { type: 'string', pattern: '^[A-Z]{3}-[0-9]+$' } },
};

/** A valid route file using every field, to be written as YAML or JSON. */
export function validFile(): TestFile {
  return {
    formatVersion: 1,
    upstreams: {
      orders: {
        kind: 'http',
        urls: ['http://orders-a:8080', 'http://orders-b:8080/base'],
        rewrite: { prefix: '/api/orders/', replacement: '/v2/orders' },
        headers: { add: { 'X-Gateway': 'edge', 'X-Env': 'test' }, remove: ['Cookie', 'x-debug'] },
        traffic: {
          timeoutMs: 2000,
          retry: { maxAttempts: 2, perTryTimeoutMs: 600 },
          breaker: { windowMs: 5000 },
          outlier: { consecutiveFailures: 3 },
        },
      },
      users: {
        kind: 'grpc',
        target: 'dns:///users:6000',
        protos: ['proto/userverify.proto'],
        httpRulesFromProtos: true,
        traffic: { breaker: { resetTimeoutMs: 1000 }, keepalive: { timeMs: 20_000 } },
      },
    },
    routes: [
      {
        name: 'orders-list',
        match: {
          methods: ['HEAD', 'GET'],
          path: { prefix: '/api/orders/' },
          hosts: ['API.example.com', '*.example.org'],
        },
        upstream: 'orders',
        auth: { scheme: 'jwt', scopes: ['orders.write', 'orders.read'] },
        rateLimit: { limit: 50 },
      },
      {
        name: 'order',
        match: { methods: ['PUT'], path: { template: '/api/orders/{id}' } },
        upstream: 'orders',
        timeoutMs: 1000,
        retry: { maxAttempts: 1, perTryTimeoutMs: 300 },
        bodyLimitBytes: 4096,
        bodySchema: ORDER_SCHEMA,
      },
      {
        name: 'verify',
        match: { methods: ['POST'], path: { exact: '/verify/' } },
        upstream: 'users',
        grpc: { service: 'userverify.UserVerify', method: 'VerifyUser' },
        auth: { scheme: 'none' },
        rateLimit: { limit: 20, windowMs: 1000 },
      },
    ],
  };
}
