import { durationMs, LONGEST_TIMEOUT_MS, translateTimeouts } from './route-timeouts';

describe('durationMs (Gateway API Duration)', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1h30m', 5_400_000],
    ['1m0s500ms', 60_500],
    ['0s', 0],
  ])('%s is %d ms', (value, ms) => expect(durationMs(value)).toBe(ms));

  it.each(['', '10', '1.5s', '-1s', '1d', '123456s', '1h1m1s1ms1h'])('%j is not one', (value) =>
    expect(durationMs(value)).toBeNull(),
  );
});

describe('translateTimeouts', () => {
  it('reads both timeouts, none as the gateway default, and zero as no limit', () => {
    expect(translateTimeouts(undefined)).toEqual({
      ok: true,
      timeouts: { requestMs: null, backendRequestMs: null },
    });
    expect(translateTimeouts({ request: '2s', backendRequest: '500ms' })).toEqual({
      ok: true,
      timeouts: { requestMs: 2000, backendRequestMs: 500 },
    });
    expect(translateTimeouts({ request: '0s' })).toEqual({
      ok: true,
      timeouts: { requestMs: LONGEST_TIMEOUT_MS, backendRequestMs: null },
    });
  });

  it('refuses a value that is not a duration, and a backend request longer than the request', () => {
    expect(translateTimeouts({ request: '10' })).toEqual({
      ok: false,
      message: 'timeouts.request "10" is not a duration such as 10s or 500ms',
    });
    expect(translateTimeouts({ request: '1s', backendRequest: '2s' })).toEqual({
      ok: false,
      message: 'timeouts.backendRequest is longer than timeouts.request',
    });
  });
});
