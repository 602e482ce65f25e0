import { HealthState } from './health-state';

describe('HealthState warm-up', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('without warm-up checks, ready as soon as the listeners are up', () => {
    const state = new HealthState();
    expect(state.isReady).toBe(false);
    state.markReady();
    expect(state.isReady).toBe(true);
  });

  test('stays starting while a warm-up check fails, and turns ready once it passes', () => {
    const state = new HealthState();
    let hasEndpoint = false;
    const phases: string[] = [];
    state.onChange((phase) => phases.push(phase));
    state.addWarmUp('upstream:webapp-1', () => hasEndpoint, 15_000);
    state.markReady();
    expect(state.isReady).toBe(false);
    expect(state.warmingUp).toEqual(['upstream:webapp-1']);
    hasEndpoint = true;
    jest.advanceTimersByTime(200);
    // The phase moved without a probe asking (the gRPC health service listens to it).
    expect(phases).toEqual(['ready']);
    expect(state.isReady).toBe(true);
    expect(state.warmingUp).toEqual([]);
  });

  test('turns ready when the warm-up timeout runs out, and never asks the check again', () => {
    const state = new HealthState();
    const check = jest.fn(() => false);
    state.addWarmUp('upstream:rpc-app-1', check, 15_000);
    state.markReady();
    jest.advanceTimersByTime(14_800);
    expect(state.isReady).toBe(false);
    jest.advanceTimersByTime(200);
    expect(state.isReady).toBe(true);
    const asked = check.mock.calls.length;
    jest.advanceTimersByTime(60_000);
    expect(state.isReady).toBe(true);
    expect(check.mock.calls.length).toBe(asked);
  });

  test('a warm-up check that passes once is not a readiness condition afterwards', () => {
    const state = new HealthState();
    let hasEndpoint = true;
    state.addWarmUp('upstream:webapp-1', () => hasEndpoint, 15_000);
    state.markReady();
    expect(state.isReady).toBe(true);
    hasEndpoint = false;
    expect(state.isReady).toBe(true);
  });

  test('draining while warming up: never ready', () => {
    const state = new HealthState();
    state.addWarmUp('upstream:webapp-1', () => false, 15_000);
    state.markReady();
    state.markDraining();
    jest.advanceTimersByTime(20_000);
    expect(state.isReady).toBe(false);
    expect(state.phase).toBe('draining');
  });
});
