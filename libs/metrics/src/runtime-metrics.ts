import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { performance } from 'node:perf_hooks';

/**
 * What prom-client's default metrics (CPU, memory, heap, GC, event-loop lag, handles) lack: how busy
 * the event loop is. Lag shows only once the loop is saturated; utilization shows how close it is.
 * A counter of seconds, so that rate() gives the utilization (0 to 1) over any window, for any number
 * of scrapers.
 */
export const eventLoopActiveProvider = makeCounterProvider({
  name: 'nodejs_eventloop_active_seconds_total',
  help: 'Time the event loop was active (not waiting for I/O); rate() of it is the event-loop utilization, from 0 to 1.',
  collect() {
    // Cumulative since the loop started: set, not add, so the counter is exact at every scrape.
    this.reset();
    this.inc(performance.eventLoopUtilization().active / 1000);
  },
});
