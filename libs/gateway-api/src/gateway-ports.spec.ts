import { allocateGatewayPorts, type GatewayPort, gatewayPortKey, homeSlot } from './gateway-ports';

const RANGE = { from: 20000, to: 29999 };
const pair = (name: string, port = 80, namespace = 'infra'): GatewayPort => ({
  gateway: { namespace, name },
  port,
});
const key = (p: GatewayPort) => gatewayPortKey(p.gateway, p.port);

/** Names `prefix-<i>` whose pairs on port 80 share a home slot in a range of `size` ports. */
function colliding(size: number, count: number): GatewayPort[] {
  const bySlot = new Map<number, GatewayPort[]>();
  for (let i = 0; ; i++) {
    const p = pair(`gw-${i}`);
    const slot = homeSlot(key(p), size);
    const group = [...(bySlot.get(slot) ?? []), p];
    if (group.length === count) return group;
    bySlot.set(slot, group);
  }
}

describe('allocateGatewayPorts', () => {
  it("puts a free pair at its key's home slot, in the range", () => {
    const p = pair('one');
    const { ports, unallocated } = allocateGatewayPorts([p], { range: RANGE, avoid: [] });
    expect(ports.get(key(p))).toBe(RANGE.from + homeSlot(key(p), 10000));
    expect(unallocated).toEqual([]);
  });

  it('gives distinct ports in the range, never an avoided one, whatever order the pairs come in', () => {
    const range = { from: 30000, to: 30009 };
    const pairs = [pair('a'), pair('a', 443), pair('b'), pair('c', 80, 'apps'), pair('d', 8080)];
    const avoid = [30000, 30001, 30002, 30003, 30004, 8080];
    const forward = allocateGatewayPorts(pairs, { range, avoid });
    const backward = allocateGatewayPorts([...pairs].reverse(), { range, avoid });
    expect(backward).toEqual(forward);
    expect([...forward.ports.keys()]).toEqual([
      'apps/c:80',
      'infra/a:80',
      'infra/a:443',
      'infra/b:80',
      'infra/d:8080',
    ]);
    const values = [...forward.ports.values()];
    expect(new Set(values).size).toBe(5);
    for (const port of values) {
      expect(port).toBeGreaterThanOrEqual(30005);
      expect(port).toBeLessThanOrEqual(30009);
    }
  });

  it('gives one port to a pair that comes twice', () => {
    const { ports } = allocateGatewayPorts([pair('a'), pair('a')], { range: RANGE, avoid: [] });
    expect(ports.size).toBe(1);
  });

  it('probes upwards from the home slot, wrapping, where the slot is taken', () => {
    const size = 4;
    const [first, second] = colliding(size, 2);
    const home = homeSlot(key(first), size);
    const range = { from: 100, to: 103 };
    const { ports } = allocateGatewayPorts([second, first], { range, avoid: [] });
    // Taken in key order: the first keeps the slot, the second takes the next one.
    const [earlier, later] = [first, second].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(ports.get(key(earlier))).toBe(100 + home);
    expect(ports.get(key(later))).toBe(100 + ((home + 1) % size));
  });

  it('keeps a previous port when a Gateway taken earlier would have it', () => {
    const size = 4;
    const range = { from: 100, to: 103 };
    // `a-…` sorts before `z-…`: without its previous port, `z` would move when `a` comes.
    const z = pair('z');
    const zHome = homeSlot(key(z), size);
    const a = findWithSlot('a', size, zHome);
    const alone = allocateGatewayPorts([z], { range, avoid: [] });
    expect(alone.ports.get(key(z))).toBe(100 + zHome);

    const withoutPrevious = allocateGatewayPorts([a, z], { range, avoid: [] });
    expect(withoutPrevious.ports.get(key(a))).toBe(100 + zHome);
    expect(withoutPrevious.ports.get(key(z))).not.toBe(100 + zHome);

    const withPrevious = allocateGatewayPorts([a, z], {
      range,
      avoid: [],
      previous: alone.ports,
    });
    expect(withPrevious.ports.get(key(z))).toBe(100 + zHome);
    expect(withPrevious.ports.get(key(a))).toBe(100 + ((zHome + 1) % size));
  });

  it('leaves the others where they were when a Gateway is removed', () => {
    const pairs = Array.from({ length: 50 }, (_, i) => pair(`gw-${i}`));
    const range = { from: 100, to: 159 };
    const before = allocateGatewayPorts(pairs, { range, avoid: [] });
    const after = allocateGatewayPorts(pairs.slice(1), {
      range,
      avoid: [],
      previous: before.ports,
    });
    for (const [k, port] of after.ports) expect(port).toBe(before.ports.get(k));
  });

  it('ignores a previous port out of the range, avoided, or claimed by a pair taken earlier', () => {
    const range = { from: 100, to: 109 };
    const [a, b, c] = [pair('a'), pair('b'), pair('c')];
    const { ports } = allocateGatewayPorts([a, b, c], {
      range,
      avoid: [105],
      previous: new Map([
        [key(a), 105],
        [key(b), 107],
        [key(c), 107],
      ]),
    });
    expect(ports.get(key(a))).not.toBe(105);
    expect(ports.get(key(b))).toBe(107);
    expect(ports.get(key(c))).not.toBe(107);
    expect(
      allocateGatewayPorts([a], { range, avoid: [], previous: new Map([[key(a), 80]]) }).ports.get(
        key(a),
      ),
    ).not.toBe(80);
  });

  it('lists the pairs no port is left for, in key order', () => {
    const range = { from: 100, to: 102 };
    const pairs = [pair('d'), pair('c'), pair('b'), pair('a')];
    const { ports, unallocated } = allocateGatewayPorts(pairs, { range, avoid: [101] });
    expect(ports.size).toBe(2);
    expect([...ports.keys()]).toEqual(['infra/a:80', 'infra/b:80']);
    expect(unallocated).toEqual([pair('c'), pair('d')]);
  });

  it('refuses a range that is not one', () => {
    for (const range of [
      { from: 0, to: 10 },
      { from: 10, to: 9 },
      { from: 1, to: 65536 },
      { from: 1.5, to: 10 },
    ])
      expect(() => allocateGatewayPorts([], { range, avoid: [] })).toThrow(RangeError);
  });
});

/** A pair `prefix-<i>` whose home slot in a range of `size` is `slot`. */
function findWithSlot(prefix: string, size: number, slot: number): GatewayPort {
  for (let i = 0; ; i++) {
    const p = pair(`${prefix}-${i}`);
    if (homeSlot(key(p), size) === slot) return p;
  }
}
