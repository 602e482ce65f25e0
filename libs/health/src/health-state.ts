import { Injectable, Logger } from '@nestjs/common';

export type Phase = 'starting' | 'ready' | 'draining';

/** Facts about a dependency that health details report without affecting readiness. */
export type InfoCheck = () => Record<string, unknown> | Promise<Record<string, unknown>>;

/** True once a dependency can be used (e.g. an upstream has an endpoint); asked while starting. */
export type WarmUpCheck = () => boolean;

/**
 * The serving state of one process, shared by its public listener(s) and its admin listener:
 * readiness is true only between "listeners are up" and "shutdown began". Other modules add
 * informational checks (e.g. the gateway's upstreams) that show up in the health details but never
 * fail readiness, so one bad upstream cannot take every gateway out of rotation.
 *
 * Warm-up checks are the one exception, and only at start-up: a process becomes ready once its
 * listeners are up and every warm-up check has passed (or its timeout ran out), and after that they
 * are never asked again. A gateway that comes up before its upstreams' first pods would otherwise be
 * Ready with nothing to send to (`helm install --wait` returning into 503s; docs/architecture.md).
 */
@Injectable()
export class HealthState {
  private current: Phase = 'starting';
  private readonly infoChecks = new Map<string, InfoCheck>();
  private readonly listeners: Array<(phase: Phase) => void> = [];
  private readonly warmUps = new Map<string, { check: WarmUpCheck; timeoutMs: number }>();
  private listenersUpAt: number | undefined;
  private warmUpTimer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('lifecycle');

  get phase(): Phase {
    return this.current;
  }

  get isReady(): boolean {
    this.finishWarmUp();
    return this.current === 'ready';
  }

  /** The warm-up checks not passed yet (empty once ready). */
  get warmingUp(): string[] {
    if (this.current !== 'starting') return [];
    return [...this.warmUps].filter(([, warmUp]) => !warmUp.check()).map(([name]) => name);
  }

  /** Listeners are up: ready now, or as soon as every warm-up check passes (or times out). */
  markReady(): void {
    if (this.current !== 'starting' || this.listenersUpAt !== undefined) return;
    this.listenersUpAt = Date.now();
    if (this.finishWarmUp()) return;
    // Probes ask isReady too; this makes the phase (and its listeners) move without them.
    this.warmUpTimer = setInterval(() => this.finishWarmUp(), 200);
    this.warmUpTimer.unref();
  }

  markDraining(): void {
    clearInterval(this.warmUpTimer);
    this.set('draining');
  }

  /** Register before markReady(); `timeoutMs` after the listeners are up it no longer holds. */
  addWarmUp(name: string, check: WarmUpCheck, timeoutMs: number): void {
    this.warmUps.set(name, { check, timeoutMs });
  }

  /** Called on every phase change (e.g. to flip the gRPC health service). */
  onChange(listener: (phase: Phase) => void): void {
    this.listeners.push(listener);
  }

  addInfo(name: string, check: InfoCheck): void {
    this.infoChecks.set(name, check);
  }

  async info(): Promise<Record<string, Record<string, unknown>>> {
    const entries = await Promise.all(
      [...this.infoChecks].map(async ([name, check]) => {
        try {
          return [name, await check()] as const;
        } catch (err) {
          return [name, { error: (err as Error).message }] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  }

  /** Moves starting -> ready when the listeners are up and no warm-up holds; true when ready. */
  private finishWarmUp(): boolean {
    if (this.current !== 'starting' || this.listenersUpAt === undefined)
      return this.current === 'ready';
    const waited = Date.now() - this.listenersUpAt;
    // Each check is asked once per evaluation (an HTTP upstream's check also triggers a lookup).
    const failing = [...this.warmUps].filter(([, w]) => !w.check());
    if (failing.some(([, w]) => waited < w.timeoutMs)) return false;
    clearInterval(this.warmUpTimer);
    const timedOut = failing.map(([name]) => name);
    if (timedOut.length > 0)
      this.logger.warn(
        { waited_ms: waited, warming_up: timedOut },
        'ready before every warm-up passed: its timeout ran out',
      );
    this.set('ready');
    return true;
  }

  private set(phase: Phase): void {
    if (this.current === phase) return;
    this.current = phase;
    for (const listener of this.listeners) listener(phase);
  }
}
