import {
  type GatewayApiSnapshot,
  type GatewayServiceChanges,
  statusUpdates,
  type Translation,
} from '@app/gateway-api';
import type { GatewayApiStatusWriter } from './gateway-api-status-writer';
import type { GatewayServiceWriter } from './gateway-service-writer';

export interface GatewayApiStatusPublisherOptions {
  controllerName: string;
  writer: GatewayApiStatusWriter;
  /** Writes the Gateways' Services; unset, the changes published are not written. */
  services?: GatewayServiceWriter;
  /** Whether this pod holds the status Lease now: only the leader writes. */
  isLeader(): boolean;
  /** A write failed: `retry` is called this much later (a conflict usually resolves sooner). */
  retryMs: number;
  /** Asks for a fresh translation to publish (the caller rebuilds from the objects as listed). */
  retry(): void;
  /** One write failed (`what`: the write and the object, one line); written again next pass. */
  onFailed(what: string, error: unknown): void;
  now?: () => Date;
}

export interface GatewayApiStatusPublisher {
  /**
   * A translation of `snapshot`: the status it asks for is written if this pod leads, and the
   * Gateways' Services changed as `services` says.
   */
  publish(
    snapshot: GatewayApiSnapshot,
    translation: Translation,
    services?: GatewayServiceChanges,
  ): void;
  /** Resolves when no write is under way (for shutdown and tests). */
  idle(): Promise<void>;
  stop(): void;
}

interface Published {
  readonly snapshot: GatewayApiSnapshot;
  readonly translation: Translation;
  readonly services?: GatewayServiceChanges;
}

/**
 * Writes what the one leading pod writes: the status a translation asks for, then the changes to
 * the Gateways' Services, one object at a time
 * (docs/adr/0011-gateway-api.md, "Status"). Translations arriving while writes are under way are
 * not queued: only the newest is written next, computed against the objects it came from, so a
 * burst of changes makes one pass. Objects whose status is already right are not written at all,
 * which is what ends the loop of writing a status and reading it back through the watch.
 */
export function gatewayApiStatusPublisher(
  options: GatewayApiStatusPublisherOptions,
): GatewayApiStatusPublisher {
  const now = options.now ?? (() => new Date());
  let latest: Published | undefined;

  function* writes(published: Published): Generator<{ what: string; write(): Promise<void> }> {
    const { snapshot, translation, services } = published;
    for (const update of statusUpdates(snapshot, translation, options.controllerName, now())) {
      const { namespace, name } = update.object.metadata;
      yield {
        what: `status of ${update.kind} ${namespace ?? ''}/${name}`,
        write: () => options.writer.write(update),
      };
    }
    const writer = options.services;
    if (!writer || !services) return;
    const named = (s: { metadata: { namespace?: string; name: string } }) =>
      `Service ${s.metadata.namespace ?? ''}/${s.metadata.name}`;
    for (const service of services.create)
      yield { what: `create ${named(service)}`, write: () => writer.create(service) };
    for (const { current, desired } of services.update)
      yield { what: `update ${named(current)}`, write: () => writer.update(current, desired) };
    for (const service of services.delete)
      yield { what: `delete ${named(service)}`, write: () => writer.delete(service) };
  }
  let running: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const pass = async (): Promise<void> => {
    while (latest && !stopped && options.isLeader()) {
      const published = latest;
      latest = undefined;
      let failed = false;
      for (const { what, write } of writes(published)) {
        if (stopped || !options.isLeader()) return;
        try {
          await write();
        } catch (error) {
          failed = true;
          options.onFailed(what, error);
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
    publish: (snapshot, translation, services) => {
      if (stopped || !options.isLeader()) return;
      latest = { snapshot, translation, services };
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
