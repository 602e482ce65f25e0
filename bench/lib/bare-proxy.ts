// The bare Node peer the gateway is compared with, run as its own process by bench/run.ts:
//   node bench/lib/bare-proxy.ts <listen host:port> <webapp-1 host:port> <rpc-app-1 host:port>
// Fastify + @fastify/http-proxy (undici) for POST /projects/ -> webapp-1 /create, and for
// POST /verify/ one plain grpc-js unary call to rpc-app-1. No features: no validation, logging,
// metrics, rate limiting or breaker, which is what a user choosing a Node gateway compares with.
import { Metadata, status } from '@grpc/grpc-js';
import httpProxy from '@fastify/http-proxy';
import Fastify from 'fastify';
import { userVerifyClient } from '../../process-topology/user-verify-client.ts';

const [listen, webapp, rpc] = process.argv.slice(2);
const [host, port] = listen.split(':');

const app = Fastify({ logger: false });
await app.register(httpProxy, {
  upstream: `http://${webapp}`,
  prefix: '/projects',
  rewritePrefix: '/create',
});

const verify = userVerifyClient(rpc);
app.post('/verify/', (request, reply) => {
  const body = request.body as { id: number; token: string };
  verify.VerifyUser(
    { id: body.id, token: body.token },
    new Metadata(),
    { deadline: Date.now() + 5000 },
    (err, answer) => {
      if (err) void reply.code(err.code === status.UNAVAILABLE ? 503 : 502).send(err.details);
      else void reply.send(answer);
    },
  );
});

await app.listen({ host, port: Number(port) });
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  verify.close();
  void app.close().then(() => process.exit(0));
});
