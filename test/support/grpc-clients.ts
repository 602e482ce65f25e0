import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { VerifyReply__Output } from '../../libs/contracts/src/generated/userverify/VerifyReply';
import { userVerifyClient as loadUserVerifyClient } from '../../process-topology/user-verify-client.ts';
import { protoPath as healthProtoPath } from 'grpc-health-check';

type Unary<Req, Res> = (
  req: Req,
  metadata: Metadata,
  options: { deadline: number },
  cb: (err: ServiceError | null, res?: Res) => void,
) => void;

/** rpc-app-1's UserVerify as a promise, on the tooling's client (process-topology). */
export function userVerifyClient(address: string) {
  const client = loadUserVerifyClient(address);
  return {
    verify(id: number, token: string, timeoutMs = 10_000): Promise<VerifyReply__Output> {
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
