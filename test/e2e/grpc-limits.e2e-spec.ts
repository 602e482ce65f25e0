import { status } from '@grpc/grpc-js';
import { AppProcess, LOCAL_PORTS, randomLoopbackNet } from '../../process-topology/index.ts';
import { userVerifyClient } from '../support/grpc-clients.ts';

// rpc-app-1's gRPC server bounds what one client may send (GRPC_MAX_RECEIVE_MESSAGE_BYTES): an
// oversized message is refused with RESOURCE_EXHAUSTED and the server goes on serving.
describe('rpc-app-1 gRPC server limits', () => {
  const rpc = new AppProcess({
    app: 'rpc-app-1',
    name: 'rpc-app-1#limits',
    host: `${randomLoopbackNet()}.21`,
    ...LOCAL_PORTS['rpc-app-1'],
    env: { GRPC_MAX_RECEIVE_MESSAGE_BYTES: '4096', GRPC_MAX_CONCURRENT_STREAMS: '4' },
  });
  beforeAll(async () => {
    rpc.start();
    await rpc.waitReady();
  });
  afterAll(() => rpc.stop());

  it('refuses a message over the limit, serves the next one', async () => {
    const client = userVerifyClient(rpc.address);
    try {
      await expect(client.verify(1, 'x'.repeat(8192))).rejects.toMatchObject({
        code: status.RESOURCE_EXHAUSTED,
      });
      await expect(client.verify(1, 'x'.repeat(3000))).resolves.toEqual({ message: 'Verified: 1' });
      // More calls at once than streams allowed per connection: they queue, none fails.
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => client.verify(i + 1, 't')),
      );
      expect(replies.map((r) => r.message)).toEqual(
        Array.from({ length: 20 }, (_, i) => `Verified: ${i + 1}`),
      );
    } finally {
      client.close();
    }
    expect(rpc.running).toBe(true);
  });
});
