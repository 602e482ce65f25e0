import {
  type GatewayApiSnapshot,
  type GatewayService,
  type Service,
  type StatusUpdate,
  translate,
} from '@app/gateway-api';
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

function setup(
  options: { leader: boolean; failFirst?: number; failServices?: boolean } = { leader: true },
) {
  const written: string[] = [];
  const failed: string[] = [];
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
    onFailed: (what: string) => failed.push(what),
    services: {
      create: async (service: GatewayService) => {
        if (options.failServices) throw new Error('409 AlreadyExists');
        written.push(`create ${service.metadata.name}`);
      },
      update: async (current: Service, desired: GatewayService) => {
        written.push(`update ${current.metadata.name} to ${desired.spec.ports[0].targetPort}`);
      },
      delete: async (service: Service) => {
        written.push(`delete ${service.metadata.name}`);
      },
    },
    writer: {
      write: async (update: StatusUpdate) => {
        if (gate.hold) await new Promise<void>((resolve) => (release = resolve));
        if (failures-- > 0) throw new Error('409 Conflict');
        written.push(`${update.kind} ${update.object.metadata.name}`);
      },
    },
  });
  const publish = (s: GatewayApiSnapshot) => publisher.publish(s, translate(s, CONTROLLER));
  return { publisher, publish, written, failed, retries, state, gate, release: () => release?.() };
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

  it("writes the Gateways' Services after the status, creating, updating then deleting", async () => {
    const { publisher, written, failed, retries } = setup({ leader: true, failFirst: 0 });
    const service = (name: string, targetPort: number): GatewayService => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'gs', name, labels: {}, ownerReferences: [] },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'gateway' },
        ports: [{ name: 'http-80', port: 80, protocol: 'TCP', targetPort }],
      },
    });
    const s = objects(['a']);
    publisher.publish(s, translate(s, CONTROLLER), {
      create: [service('new', 20001)],
      update: [{ current: service('moved', 20002), desired: service('moved', 20003) }],
      delete: [service('gone', 20004)],
    });
    await publisher.idle();
    expect(written).toEqual([
      'GatewayClass ours',
      'Gateway gw',
      'HTTPRoute a',
      'create new',
      'update moved to 20003',
      'delete gone',
    ]);
    expect(failed).toEqual([]);
    expect(retries).toEqual([]);
  });

  it('names a failed Service write and asks for a retry', async () => {
    const { publisher, written, failed, retries } = setup({ leader: true, failServices: true });
    const s = objects([]);
    publisher.publish(s, translate(s, CONTROLLER), {
      create: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { namespace: 'gs', name: 'new', labels: {}, ownerReferences: [] },
          spec: { type: 'ClusterIP', selector: {}, ports: [] },
        },
      ],
      update: [],
      delete: [],
    });
    await publisher.idle();
    expect(written).toEqual(['GatewayClass ours', 'Gateway gw']);
    expect(failed).toEqual(['create Service gs/new']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(retries).toHaveLength(1);
    publisher.stop();
  });
});
