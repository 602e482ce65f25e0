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
  const { drain, shutdown } = installGracefulShutdown({
    health,
    logger: quiet,
    drainDelayMs: overrides.drainDelayMs ?? 0,
    timeoutMs: overrides.timeoutMs ?? 1000,
    onDrain: [() => events.push(`onDrain while ${health.phase}`)],
    stop: overrides.stop ?? [async () => events.push(`stop while ${health.phase}`)],
    finally: [async () => events.push('finally')],
    exit: (code) => exits.push(code),
  });
  return { health, exits, events, drain, shutdown };
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
    expect(events).toEqual(['onDrain while draining']);
    await jest.advanceTimersByTimeAsync(1);
    await done;
    expect(events).toEqual(['onDrain while draining', 'stop while draining', 'finally']);
    expect(exits).toEqual([0]);
  });

  it('the drain endpoint path drains at once, answers after the hold, and closes nothing', async () => {
    jest.useFakeTimers();
    const { health, exits, events, drain } = setup({ drainDelayMs: 1000 });
    let answered = false;
    const held = drain('preStop', 5000).then(() => (answered = true));
    expect(health.phase).toBe('draining');
    expect(events).toEqual(['onDrain while draining']);
    await jest.advanceTimersByTimeAsync(4999);
    expect(answered).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await held;
    expect(answered).toBe(true);
    // Listeners stay open until SIGTERM: idle keep-alive sockets are not closed by the drain.
    await jest.advanceTimersByTimeAsync(60_000);
    expect(events).toEqual(['onDrain while draining']);
    expect(exits).toEqual([]);
  });

  it('SIGTERM after the drain endpoint: onDrain runs once, listeners close after the drain delay', async () => {
    jest.useFakeTimers();
    const { events, exits, drain, shutdown } = setup({ drainDelayMs: 1000 });
    const held = drain('preStop', 5000);
    await jest.advanceTimersByTimeAsync(5000);
    await held;
    const done = shutdown('SIGTERM');
    await jest.advanceTimersByTimeAsync(999);
    expect(events).toEqual(['onDrain while draining']);
    await jest.advanceTimersByTimeAsync(1);
    await done;
    expect(events).toEqual(['onDrain while draining', 'stop while draining', 'finally']);
    expect(exits).toEqual([0]);
  });

  it('a second drain call only waits', async () => {
    const { events, drain } = setup();
    await drain('preStop', 0);
    await drain('preStop', 0);
    expect(events).toEqual(['onDrain while draining']);
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
