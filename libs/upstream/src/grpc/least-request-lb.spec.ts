import { gatewayEnv } from '@app/config';
import { loadConfig } from '@app/env';
import {
  Client,
  connectivityState,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { createServer, connect, type Socket } from 'node:net';
import { eventually } from '../../../../test/support/eventually';
import { trafficPolicy } from '../traffic-policy';
import { grpcChannelOptions } from './grpc-channel-options';
import { grpcEndpoints, onGrpcEjection, PREVIOUS_ATTEMPTS_METADATA } from './least-request-lb';

const bytes = (b: Buffer) => b;
const METHOD = {
  path: '/test.Service/Call',
  requestStream: false,
  responseStream: false,
  requestSerialize: bytes,
  requestDeserialize: bytes,
  responseSerialize: bytes,
  responseDeserialize: bytes,
};

type Behaviour = 'ok' | 'hang' | 'fail';

/** A real grpc-js server on 127.0.0.1 that answers, fails (INTERNAL) or holds every call. */
async function replica(initial: Behaviour, atPort = 0) {
  const server = new Server();
  const state = { behaviour: initial, received: 0, metadataKeys: new Set<string>() };
  server.addService(
    { Call: METHOD },
    {
      Call: (
        call: { metadata: Metadata },
        callback: (err: Partial<ServiceError> | null, reply?: Buffer) => void,
      ) => {
        state.received++;
        for (const key of Object.keys(call.metadata.getMap())) state.metadataKeys.add(key);
        if (state.behaviour === 'ok') callback(null, Buffer.from('ok'));
        else if (state.behaviour === 'fail') callback({ code: status.INTERNAL, details: 'x' });
        // 'hang': never answered; the client's deadline ends it.
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${atPort}`, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return { port, state, close: () => server.forceShutdown() };
}

/**
 * A TCP relay to a port on 127.0.0.1 that can stop relaying in both directions at once: the
 * connection stays open and nothing comes through, as with a frozen replica or a lost node.
 */
async function freezableRelay(port: number) {
  const sockets: Socket[] = [];
  const relay = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ]) {
      from.pipe(to);
      from.on('error', () => undefined);
      from.on('close', () => to.destroy());
    }
    sockets.push(client, upstream);
  });
  const relayPort = await new Promise<number>((resolve) =>
    relay.listen(0, '127.0.0.1', () => resolve((relay.address() as { port: number }).port)),
  );
  return {
    port: relayPort,
    freeze: () => sockets.forEach((socket) => socket.pause()),
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      relay.close();
    },
  };
}

/** One unary call; resolves with its status code. */
function call(client: Client, deadlineMs: number, metadata = new Metadata()): Promise<status> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      METHOD.path,
      bytes,
      bytes,
      Buffer.from('x'),
      metadata,
      { deadline: Date.now() + deadlineMs },
      (err) => resolve(err?.code ?? status.OK),
    ),
  );
}

describe('gateway_least_request (grpc-js load-balancing policy)', () => {
  const replicas: Array<{ close: () => void }> = [];
  const clients: Client[] = [];
  afterEach(() => {
    clients.splice(0).forEach((c) => c.close());
    replicas.splice(0).forEach((r) => r.close());
  });

  async function setUp(behaviours: Behaviour[], env: Record<string, string> = {}) {
    const started = await Promise.all(behaviours.map(replica));
    replicas.push(...started);
    const policy = trafficPolicy(loadConfig(gatewayEnv, env));
    const target = `ipv4:${started.map((r) => `127.0.0.1:${r.port}`).join(',')}`;
    const client = new Client(
      target,
      credentials.createInsecure(),
      grpcChannelOptions('test', policy),
    );
    clients.push(client);
    return { replicas: started, client, policy };
  }

  /** Every replica connected and answering, then `behaviours` take effect, counts from zero. */
  async function warmedUp(behaviours: Behaviour[], env: Record<string, string> = {}) {
    const set = await setUp(
      behaviours.map(() => 'ok'),
      env,
    );
    // Until every replica is connected, calls go to those that are: wait until each has answered.
    for (let i = 0; i < 100 && set.replicas.some((r) => r.state.received === 0); i++)
      await call(set.client, 2000);
    set.replicas.forEach((r, i) =>
      Object.assign(r.state, { behaviour: behaviours[i], received: 0 }),
    );
    return set;
  }

  it('spreads calls evenly over replicas that answer', async () => {
    const {
      replicas: [a, b, c],
      client,
    } = await setUp(['ok', 'ok', 'ok']);
    for (let i = 0; i < 60; i++) expect(await call(client, 2000)).toBe(status.OK);
    // Sequential calls, nothing outstanding: round robin (the first calls wait for connections).
    const counts = [a, b, c].map((r) => r.state.received);
    expect(counts.reduce((x, y) => x + y)).toBe(60);
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(15);
  });

  it('a replica that holds its calls gets at most floor((C - 1) / 2) + 1 of C callers', async () => {
    const CALLERS = 8;
    const {
      replicas: [hung, b, c],
      client,
    } = await warmedUp(['hang', 'ok', 'ok']);
    let left = 300;
    const caller = async () => {
      while (left-- > 0) await call(client, 1500);
    };
    await Promise.all(Array.from({ length: CALLERS }, caller));
    // Round robin would have sent it a third of the calls until every caller was stuck there.
    expect(hung.state.received).toBeGreaterThanOrEqual(1);
    expect(hung.state.received).toBeLessThanOrEqual(Math.floor((CALLERS - 1) / 2) + 1);
    expect(b.state.received + c.state.received).toBeGreaterThan(250);
  });

  it('sends a retry away from the replicas earlier attempts went to, and never sends their names', async () => {
    const {
      replicas: [a, b, c],
      client,
    } = await warmedUp(['ok', 'ok', 'ok']);
    const retry = () => {
      const metadata = new Metadata();
      metadata.set(PREVIOUS_ATTEMPTS_METADATA, `127.0.0.1:${a.port},127.0.0.1:${b.port}`);
      return metadata;
    };
    for (let i = 0; i < 20; i++) expect(await call(client, 2000, retry())).toBe(status.OK);
    expect([a, b, c].map((r) => r.state.received)).toEqual([0, 0, 20]);
    expect(c.state.metadataKeys.has(PREVIOUS_ATTEMPTS_METADATA)).toBe(false);
    // Every ready replica tried already: any of them rather than none.
    const all = new Metadata();
    all.set(PREVIOUS_ATTEMPTS_METADATA, [a, b, c].map((r) => `127.0.0.1:${r.port}`).join(','));
    expect(await call(client, 2000, all)).toBe(status.OK);
  });

  it('ejects a replica after consecutive failures and probes it back in after the ejection time', async () => {
    const ejected: string[] = [];
    onGrpcEjection('test', (endpoint) => ejected.push(endpoint));
    const {
      replicas: [failing],
      client,
      policy,
    } = await warmedUp(['fail', 'ok', 'ok'], {
      OUTLIER_BASE_EJECTION_MS: '300',
    });
    for (let i = 0; i < 30; i++) await call(client, 2000);
    expect(failing.state.received).toBe(policy.outlier.consecutiveFailures);
    expect(ejected).toEqual([`127.0.0.1:${failing.port}`]);
    expect(grpcEndpoints('test')).toContainEqual({
      address: `127.0.0.1:${failing.port}`,
      state: 'ejected',
      connection: 'READY',
    });
    // Healthy again; after its ejection time its next call decides, and it is back.
    failing.state.behaviour = 'ok';
    await new Promise((resolve) => setTimeout(resolve, 400));
    for (let i = 0; i < 30; i++) expect(await call(client, 2000)).toBe(status.OK);
    expect(failing.state.received).toBeGreaterThan(policy.outlier.consecutiveFailures + 5);
  });

  it('a call that finds every replica in its reconnect backoff has them reconnect now; one that is down still fails the call at once', async () => {
    const first = await replica('ok');
    replicas.push(first);
    const { port } = first;
    const policy = trafficPolicy(loadConfig(gatewayEnv, {}));
    const client = new Client(
      `ipv4:127.0.0.1:${port}`,
      credentials.createInsecure(),
      grpcChannelOptions('test', policy),
    );
    clients.push(client);
    const channel = client.getChannel();
    const waitingOutBackoff = () =>
      eventually(
        () => channel.getConnectivityState(false) === connectivityState.TRANSIENT_FAILURE,
        { timeoutMs: 10_000, intervalMs: 10, what: 'the channel in TRANSIENT_FAILURE' },
      );
    expect(await call(client, 2000)).toBe(status.OK);
    // The replica goes away: its reconnect is refused, the connection waits out a backoff of 1 s
    // and more; the replica is back (as after a partition) long before that.
    first.close();
    await waitingOutBackoff();
    const back = await replica('ok', port);
    replicas.push(back);
    expect(await call(client, 2000)).toBe(status.OK);
    expect(back.state.received).toBe(1);
    // Down for good: the reconnect a call asks for is refused and the call fails UNAVAILABLE, not
    // held until its deadline.
    back.close();
    await waitingOutBackoff();
    expect(await call(client, 5000)).toBe(status.UNAVAILABLE);
  });

  it('keepalive pings end the calls of a connection whose replica stopped answering (UNAVAILABLE, not the deadline)', async () => {
    const [server] = await Promise.all([replica('ok')]);
    const relay = await freezableRelay(server.port);
    replicas.push(server, relay);
    const policy = trafficPolicy(
      loadConfig(gatewayEnv, { RPC_KEEPALIVE_TIME_MS: '200', RPC_KEEPALIVE_TIMEOUT_MS: '200' }),
    );
    const client = new Client(
      `ipv4:127.0.0.1:${relay.port}`,
      credentials.createInsecure(),
      grpcChannelOptions('test', policy),
    );
    clients.push(client);
    expect(await call(client, 5000)).toBe(status.OK);
    relay.freeze();
    // Without pings this call would wait for its deadline (DEADLINE_EXCEEDED after 30 s).
    expect(await call(client, 30_000)).toBe(status.UNAVAILABLE);
  });
});
