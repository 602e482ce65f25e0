import { MemoryWindows } from './memory-windows';

describe('MemoryWindows', () => {
  it('counts hits per key within a window that starts with the first hit', () => {
    const windows = new MemoryWindows();
    expect(windows.hit('a', 1000, 10_000)).toEqual({ count: 1, resetMs: 1000 });
    expect(windows.hit('a', 1000, 10_400)).toEqual({ count: 2, resetMs: 600 });
    expect(windows.hit('b', 1000, 10_400)).toEqual({ count: 1, resetMs: 1000 });
  });

  it('starts a new window once the old one has ended', () => {
    const windows = new MemoryWindows();
    windows.hit('a', 1000, 0);
    windows.hit('a', 1000, 999);
    expect(windows.hit('a', 1000, 1000)).toEqual({ count: 1, resetMs: 1000 });
  });

  it('sweep drops ended windows only', () => {
    const windows = new MemoryWindows();
    windows.hit('old', 100, 0);
    windows.hit('live', 1000, 0);
    windows.sweep(500);
    expect(windows.size).toBe(1);
    expect(windows.hit('live', 1000, 500).count).toBe(2);
  });

  it('never holds more than its key limit, dropping ended windows first, then the oldest', () => {
    const windows = new MemoryWindows(10);
    for (let i = 0; i < 10; i++) windows.hit(`ended-${i}`, 10, 0);
    windows.hit('new', 1000, 100);
    expect(windows.size).toBe(1);

    for (let i = 0; i < 20; i++) windows.hit(`live-${i}`, 1000, 100);
    expect(windows.size).toBeLessThanOrEqual(10);
    // The newest keys survive; the oldest were dropped to make room.
    expect(windows.hit('live-19', 1000, 100).count).toBe(2);
    expect(windows.hit('new', 1000, 100).count).toBe(1);
  });
});
