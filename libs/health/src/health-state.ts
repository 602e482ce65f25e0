import { Injectable } from '@nestjs/common';

export type Phase = 'starting' | 'ready' | 'draining';

/** Facts about a dependency that health details report without affecting readiness. */
export type InfoCheck = () => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * The serving state of one process, shared by its public listener(s) and its admin listener:
 * readiness is true only between "listeners are up" and "shutdown began". Other modules add
 * informational checks (e.g. the gateway's upstreams) that show up in the health details but never
 * fail readiness, so one bad upstream cannot take every gateway out of rotation.
 */
@Injectable()
export class HealthState {
  private current: Phase = 'starting';
  private readonly infoChecks = new Map<string, InfoCheck>();
  private readonly listeners: Array<(phase: Phase) => void> = [];

  get phase(): Phase {
    return this.current;
  }

  get isReady(): boolean {
    return this.current === 'ready';
  }

  markReady(): void {
    if (this.current === 'starting') this.set('ready');
  }

  markDraining(): void {
    this.set('draining');
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

  private set(phase: Phase): void {
    if (this.current === phase) return;
    this.current = phase;
    for (const listener of this.listeners) listener(phase);
  }
}
