import { join } from 'node:path';
import type { AppProcess } from '../../process-topology/index.ts';

/** Node flags that load the span census (span-census.cjs) into an app. */
export const SPAN_CENSUS_ARGS = ['--require', join(__dirname, 'span-census.cjs')];

export interface SpanCensus {
  /** Spans the process started, recording or not. */
  spans_started: number;
  /** @opentelemetry packages the process loaded, besides the API. */
  otel_packages: string[];
}

/** The census a stopped app printed at exit. */
export function spanCensus(p: AppProcess): SpanCensus {
  const line = p.logs.find((l) => l.span_census !== undefined);
  if (!line) throw new Error(`${p.name} printed no span census:\n${p.tail()}`);
  return line.span_census as SpanCensus;
}
