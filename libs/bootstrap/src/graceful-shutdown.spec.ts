import { HealthState } from '@app/health';
import { installGracefulShutdown, type ShutdownLogger } from './graceful-shutdown';

const quiet: ShutdownLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function setup(
  overrides: {
    stop?: Array<() => Promise<unknown>>;
    timeoutMs?: number;
    drainDelayMs?: number;
  } = {},
) {
  const health = new HealthState();
  health.markReady();
  const exits: number[] = [];
  const events: string[] = [];
  const shutdown = installGracefulShutdown({
    health,
    logger: quiet,
    drainDelayMs: overrides.drainDelayMs ?? 0,
    timeoutMs: overrides.timeoutMs ?? 1000,
    stop: overrides.stop ?? [async () => events.push(`stop while ${health.phase}`)],
    finally: [async () => events.push('finally')],
    exit: (code) => exits.push(code),
  });
  return { health, exits, events, shutdown };
}

describe('installGracefulShutdown', () => {
  afterEach(() => {
    jest.useRealTimers();
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGINT');
  });

  it('flips readiness first, stops in order after the drain delay, then exits 0', async () => {
    jest.useFakeTimers();
    const { health, exits, events, shutdown } = setup({ drainDelayMs: 5000 });
    const done = shutdown('SIGTERM');
    expect(health.phase).toBe('draining');
    await jest.advanceTimersByTimeAsync(4999);
    expect(events).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    await done;
    expect(events).toEqual(['stop while draining', 'finally']);
    expect(exits).toEqual([0]);
  });

  it('a second signal exits at once with 1', async () => {
    let release: () => void = () => undefined;
    const { exits, shutdown } = setup({ stop: [() => new Promise<void>((r) => (release = r))] });
    const first = shutdown('SIGTERM');
    await new Promise((r) => setImmediate(r));
    await shutdown('SIGINT');
    expect(exits).toEqual([1]);
    release();
    await first;
  });

  it('the deadline exits with 1 when a stop step hangs', async () => {
    const { exits, shutdown } = setup({
      stop: [() => new Promise(() => undefined)],
      timeoutMs: 50,
    });
    jest.useFakeTimers();
    void shutdown('SIGTERM');
    await jest.advanceTimersByTimeAsync(49);
    expect(exits).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([1]);
  });

  it('a failing stop step exits with 1', async () => {
    const { exits, shutdown } = setup({ stop: [() => Promise.reject(new Error('boom'))] });
    await shutdown('SIGTERM');
    expect(exits).toEqual([1]);
  });
});
