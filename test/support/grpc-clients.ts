import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';
import { protoPath as healthProtoPath } from 'grpc-health-check';

type Unary<Req, Res> = (
  req: Req,
  metadata: Metadata,
  options: { deadline: number },
  cb: (err: ServiceError | null, res?: Res) => void,
) => void;

/** A plain grpc-js client of rpc-app-1's UserVerify, loaded from the repository's proto/. */
export function userVerifyClient(address: string) {
  const definition = loadSync(join(__dirname, '../../proto/userverify.proto'), {
    keepCase: true,
    defaults: true,
  });
  const proto = loadPackageDefinition(definition) as unknown as {
    userverify: {
      UserVerify: new (
        target: string,
        creds: ReturnType<typeof credentials.createInsecure>,
      ) => { VerifyUser: Unary<{ id: number; token: string }, { message: string }>; close(): void };
    };
  };
  const client = new proto.userverify.UserVerify(address, credentials.createInsecure());
  return {
    verify(id: number, token: string, timeoutMs = 10_000): Promise<{ message: string }> {
      return new Promise((resolve, reject) =>
        client.VerifyUser(
          { id, token },
          new Metadata(),
          { deadline: Date.now() + timeoutMs },
          (err, res) => (err ? reject(err) : resolve(res!)),
        ),
      );
    },
    close: () => client.close(),
  };
}

/** A grpc.health.v1 client (the protocol Kubernetes' native gRPC probe speaks). */
export function healthClient(address: string) {
  const definition = loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true });
  const proto = loadPackageDefinition(definition) as unknown as {
    grpc: {
      health: {
        v1: {
          Health: new (
            target: string,
            creds: ReturnType<typeof credentials.createInsecure>,
          ) => { Check: Unary<{ service: string }, { status: string }>; close(): void };
        };
      };
    };
  };
  const client = new proto.grpc.health.v1.Health(address, credentials.createInsecure());
  return {
    check(service = '', timeoutMs = 2000): Promise<string> {
      return new Promise((resolve, reject) =>
        client.Check(
          { service },
          new Metadata(),
          { deadline: Date.now() + timeoutMs },
          (err, res) => (err ? reject(err) : resolve(res!.status)),
        ),
      );
    },
    close: () => client.close(),
  };
}
