import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';

const TABLE = 'gateway_route_table_info';
const RELOADS = 'gateway_route_table_reloads_total';
const ROUTES = 'gateway_route_table_routes';

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
];

@Injectable()
export class RouteTableMetrics {
  constructor(
    @InjectMetric(TABLE) private readonly table: Gauge<'version'>,
    @InjectMetric(RELOADS) private readonly reloads: Counter<'outcome'>,
    @InjectMetric(ROUTES) private readonly routes: Gauge,
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
}
