import {
  type GatewayApiSnapshot,
  type StatusUpdate,
  statusUpdates,
  type Translation,
} from '@app/gateway-api';
import type { GatewayApiStatusWriter } from './gateway-api-status-writer';

export interface GatewayApiStatusPublisherOptions {
  controllerName: string;
  writer: GatewayApiStatusWriter;
  /** Whether this pod holds the status Lease now: only the leader writes. */
  isLeader(): boolean;
  /** A write failed: `retry` is called this much later (a conflict usually resolves sooner). */
  retryMs: number;
  /** Asks for a fresh translation to publish (the caller rebuilds from the objects as listed). */
  retry(): void;
  /** One write failed; the update is written again on the next pass. */
  onFailed(update: StatusUpdate, error: unknown): void;
  now?: () => Date;
}

export interface GatewayApiStatusPublisher {
  /** A translation of `snapshot`: the status it asks for is written if this pod leads. */
  publish(snapshot: GatewayApiSnapshot, translation: Translation): void;
  /** Resolves when no write is under way (for shutdown and tests). */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * Writes the status a translation asks for, one object at a time, when this pod leads
 * (docs/adr/0011-gateway-api.md, "Status"). Translations arriving while writes are under way are
 * not queued: only the newest is written next, computed against the objects it came from, so a
 * burst of changes makes one pass. Objects whose status is already right are not written at all,
 * which is what ends the loop of writing a status and reading it back through the watch.
 */
export function gatewayApiStatusPublisher(
  options: GatewayApiStatusPublisherOptions,
): GatewayApiStatusPublisher {
  const now = options.now ?? (() => new Date());
  let latest: { snapshot: GatewayApiSnapshot; translation: Translation } | undefined;
  let running: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const pass = async (): Promise<void> => {
    while (latest && !stopped && options.isLeader()) {
      const { snapshot, translation } = latest;
      latest = undefined;
      let failed = false;
      for (const update of statusUpdates(snapshot, translation, options.controllerName, now())) {
        if (stopped || !options.isLeader()) return;
        try {
          await options.writer.write(update);
        } catch (error) {
          failed = true;
          options.onFailed(update, error);
        }
      }
      if (failed && !retryTimer && !stopped)
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          if (!stopped) options.retry();
        }, options.retryMs);
    }
  };

  // A translation published just as a pass ends (after its loop, before this runs) starts the next.
  const kick = (): void => {
    if (running) return;
    running = pass().finally(() => {
      running = undefined;
      if (latest && !stopped && options.isLeader()) kick();
    });
  };

  return {
    publish: (snapshot, translation) => {
      if (stopped || !options.isLeader()) return;
      latest = { snapshot, translation };
      kick();
    },
    idle: async () => {
      while (running) await running;
    },
    stop: () => {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
    },
  };
}
