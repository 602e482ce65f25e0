import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';

const TABLE = 'gateway_route_table_info';
const RELOADS = 'gateway_route_table_reloads_total';
const ROUTES = 'gateway_route_table_routes';
const LISTENER_FAILURES = 'gateway_api_listener_port_failures_total';

export const RELOAD_OUTCOMES = ['applied', 'refused'] as const;
export type ReloadOutcome = (typeof RELOAD_OUTCOMES)[number];

export const routeTableMetricProviders = [
  makeGaugeProvider({
    name: TABLE,
    help: 'The route table being served: 1 for its version (a hash of its content).',
    labelNames: ['version'],
  }),
  makeCounterProvider({
    name: RELOADS,
    help: 'New route tables: applied, or refused (invalid; the last good table kept serving).',
    labelNames: ['outcome'],
  }),
  makeGaugeProvider({ name: ROUTES, help: 'Routes in the route table being served.' }),
  makeCounterProvider({
    name: LISTENER_FAILURES,
    help: "Attempts to open a Gateway port's internal listener that failed (tried again on each table).",
  }),
];

@Injectable()
export class RouteTableMetrics {
  constructor(
    @InjectMetric(TABLE) private readonly table: Gauge<'version'>,
    @InjectMetric(RELOADS) private readonly reloads: Counter<'outcome'>,
    @InjectMetric(ROUTES) private readonly routes: Gauge,
    @InjectMetric(LISTENER_FAILURES) private readonly listenerFailures: Counter,
  ) {
    for (const outcome of RELOAD_OUTCOMES) reloads.inc({ outcome }, 0);
  }

  served(version: string, routes: number): void {
    this.table.reset();
    this.table.set({ version }, 1);
    this.routes.set(routes);
  }

  reloaded(outcome: ReloadOutcome): void {
    this.reloads.inc({ outcome });
  }

  /** A per-(Gateway, port) listener could not be opened (docs/adr/0011-gateway-api.md). */
  listenerFailed(): void {
    this.listenerFailures.inc();
  }
}
