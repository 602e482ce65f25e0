import { type GatewayApiSnapshot, type StatusUpdate, translate } from '@app/gateway-api';
import {
  CONTROLLER,
  gateway,
  httpListener,
  httpRoute,
  snapshot,
} from '../../gateway-api/src/gateway-api.fixture';
import { gatewayApiStatusPublisher } from './gateway-api-status-publisher';

const objects = (routes: string[]): GatewayApiSnapshot =>
  snapshot({
    gateways: [gateway('gw', [httpListener('http')])],
    httpRoutes: routes.map((name) => httpRoute(name, { parentRefs: [{ name: 'gw' }] })),
  });

function setup(options: { leader: boolean; failFirst?: number } = { leader: true }) {
  const written: string[] = [];
  const retries: number[] = [];
  let failures = options.failFirst ?? 0;
  const state = { leader: options.leader };
  let release: (() => void) | undefined;
  const gate = { hold: false };
  const publisher = gatewayApiStatusPublisher({
    controllerName: CONTROLLER,
    isLeader: () => state.leader,
    retryMs: 10,
    retry: () => retries.push(Date.now()),
    onFailed: () => undefined,
    writer: {
      write: async (update: StatusUpdate) => {
        if (gate.hold) await new Promise<void>((resolve) => (release = resolve));
        if (failures-- > 0) throw new Error('409 Conflict');
        written.push(`${update.kind} ${update.object.metadata.name}`);
      },
    },
  });
  const publish = (s: GatewayApiSnapshot) => publisher.publish(s, translate(s, CONTROLLER));
  return { publisher, publish, written, retries, state, gate, release: () => release?.() };
}

describe('gatewayApiStatusPublisher', () => {
  it('writes nothing while another pod leads', async () => {
    const { publisher, publish, written } = setup({ leader: false });
    publish(objects(['a']));
    await publisher.idle();
    expect(written).toEqual([]);
  });

  it('writes every object whose status the translation changes, one at a time', async () => {
    const { publisher, publish, written } = setup();
    publish(objects(['a', 'b']));
    await publisher.idle();
    expect(written).toEqual(['GatewayClass ours', 'Gateway gw', 'HTTPRoute a', 'HTTPRoute b']);
  });

  it('writes only the newest of the translations published during a pass', async () => {
    const { publisher, publish, written, gate, release } = setup();
    gate.hold = true;
    publish(objects(['a']));
    await new Promise((resolve) => setImmediate(resolve));
    publish(objects(['b']));
    publish(objects(['c']));
    gate.hold = false;
    release();
    await publisher.idle();
    // The first pass goes on (its class, Gateway and route a); then only the objects of 'c'.
    expect(written.filter((w) => w.startsWith('HTTPRoute'))).toEqual([
      'HTTPRoute a',
      'HTTPRoute c',
    ]);
  });

  it('asks for a retry after a failed write, once however many failed', async () => {
    const { publisher, publish, written, retries } = setup({ leader: true, failFirst: 2 });
    publish(objects(['a']));
    await publisher.idle();
    expect(written).toEqual(['HTTPRoute a']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(retries).toHaveLength(1);
    publisher.stop();
  });

  it('stops writing when leadership is lost mid-pass', async () => {
    const { publisher, publish, written, gate, release, state } = setup();
    gate.hold = true;
    publish(objects(['a', 'b']));
    await new Promise((resolve) => setImmediate(resolve));
    state.leader = false;
    gate.hold = false;
    release();
    await publisher.idle();
    expect(written).toEqual(['GatewayClass ours']);
  });
});
