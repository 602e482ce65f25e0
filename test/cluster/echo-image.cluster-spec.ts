// The echo server image of local-cluster/lib/images.sh (the Gateway API conformance suite's
// echo-basic) runs on the cluster under every name it is tagged with - the project's own and the
// suite's registry.k8s.io ones, none of them pulled - and answers: over HTTP, and with
// GRPC_ECHO_SERVER set over gRPC as the service of test/cluster/fixtures/grpcecho-http.proto.
// The host reaches the pods on the cluster's bridge.
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_INCLUDE_DIRS } from '../../libs/contracts/src/proto-include-dirs.ts';
import {
  ECHO_BASIC_IMAGE,
  ECHO_BASIC_UPSTREAM_IMAGES,
  GRPCECHO_PROTO,
  deployEcho,
  removeEcho,
  type EchoServer,
} from './support/echo.ts';
import { deleteNamespace } from './support/release.ts';

const NAMESPACE = 'gs-echo-image';
const SERVICE = 'gateway_api_conformance.echo_basic.grpcecho.GrpcEcho';

beforeAll(() => deleteNamespace(NAMESPACE), 200_000);
afterAll(() => deleteNamespace(NAMESPACE), 200_000);

interface EchoReply {
  assertions: {
    fully_qualified_method: string;
    authority: string;
    context: { namespace: string; service_name: string; pod: string };
  };
}
type Unary = (
  request: object,
  metadata: Metadata,
  options: { deadline: number },
  callback: (err: ServiceError | null, reply?: EchoReply) => void,
) => void;
type GrpcEchoClient = Client & Record<'Echo' | 'EchoTwo' | 'EchoThree', Unary>;

function grpcEchoClient(address: string): GrpcEchoClient {
  const definition = loadSync(GRPCECHO_PROTO, {
    keepCase: true,
    defaults: true,
    includeDirs: [...PROTO_INCLUDE_DIRS],
  });
  const GrpcEcho = SERVICE.split('.').reduce<Record<string, unknown>>(
    (at, key) => at[key] as Record<string, unknown>,
    loadPackageDefinition(definition),
  ) as unknown as new (
    address: string,
    creds: ReturnType<typeof credentials.createInsecure>,
  ) => GrpcEchoClient;
  return new GrpcEcho(address, credentials.createInsecure());
}

function call(
  client: GrpcEchoClient,
  method: 'Echo' | 'EchoTwo' | 'EchoThree',
): Promise<EchoReply> {
  return new Promise((resolve, reject) =>
    client[method]({}, new Metadata(), { deadline: Date.now() + 15_000 }, (err, reply) =>
      err ? reject(err) : resolve(reply!),
    ),
  );
}

async function httpEcho(echo: EchoServer, path: string) {
  const response = await fetch(`http://${echo.podAddresses[0]}${path}`, {
    headers: { 'x-echo-probe': echo.name },
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test.each([ECHO_BASIC_IMAGE, ...ECHO_BASIC_UPSTREAM_IMAGES])(
  'HTTP: %s becomes Ready and echoes the request it got',
  async (image) => {
    const name = `echo-${image.split(':')[1].replaceAll('.', '-')}${image.startsWith('registry.k8s.io/') ? '-upstream' : ''}`;
    const echo = await deployEcho(NAMESPACE, { name, image });
    try {
      const { status, body } = await httpEcho(echo, '/some/path?q=1');
      expect(status).toBe(200);
      expect(body).toMatchObject({
        path: '/some/path?q=1',
        method: 'GET',
        namespace: NAMESPACE,
        service: name,
        pod: expect.stringMatching(new RegExp(`^${name}-`)),
        headers: expect.objectContaining({ 'X-Echo-Probe': [name] }),
      });
    } finally {
      removeEcho(echo);
    }
  },
);

describe('gRPC (GRPC_ECHO_SERVER)', () => {
  let echo: EchoServer;
  let client: GrpcEchoClient;

  beforeAll(async () => {
    echo = await deployEcho(NAMESPACE, { grpc: true });
    client = grpcEchoClient(echo.podAddresses[0]);
  }, 300_000);
  afterAll(() => {
    client?.close();
    if (echo) removeEcho(echo);
  }, 200_000);

  test.each(['Echo', 'EchoTwo'] as const)(
    '%s answers with its full method name and the pod it ran in',
    async (method) => {
      const reply = await call(client, method);
      expect(reply.assertions.fully_qualified_method).toBe(`/${SERVICE}/${method}`);
      expect(reply.assertions.context).toMatchObject({
        namespace: NAMESPACE,
        service_name: 'echo-grpc',
        pod: expect.stringMatching(/^echo-grpc-/),
      });
    },
  );

  test('EchoThree, unimplemented by the server, fails with UNIMPLEMENTED', async () => {
    await expect(call(client, 'EchoThree')).rejects.toMatchObject({ code: 12 });
  });

  test("the fixture's HTTP rules load with the include directories every loader uses", () => {
    const definition = loadSync(GRPCECHO_PROTO, {
      keepCase: true,
      includeDirs: [...PROTO_INCLUDE_DIRS],
    });
    const service = definition[SERVICE] as Record<string, { options?: Record<string, unknown> }>;
    expect(
      Object.fromEntries(
        ['Echo', 'EchoTwo', 'EchoThree'].map((m) => [m, service[m].options?.['(google.api.http)']]),
      ),
    ).toEqual({
      Echo: { post: '/echo', body: '*' },
      EchoTwo: {
        get: '/echo-two/*',
        additional_bindings: { post: '/echo-two', body: '*' },
      },
      EchoThree: { delete: '/echo-three' },
    });
  });
});
