import { APP_CONFIG, type GatewayConfig } from '@app/config';
import {
  PROTO_LOADER_OPTIONS,
  type ProtoGrpcType,
  protoPath,
  USERVERIFY,
  type UserVerifyClient,
  type VerifyReply__Output,
  type VerifyRequest,
} from '@app/contracts';
import { REQUEST_ID_HEADER } from '@app/logging';
import { GRPC_TO_HTTP, UpstreamException } from '@app/upstream';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { HttpException, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';

export const RPC_APP = 'rpc-app-1';

/**
 * grpc-js client of rpc-app-1's UserVerify service. The target is resolved by name and every call
 * is balanced over all resolved addresses (round_robin), not pinned to one connection.
 */
@Injectable()
export class VerifyClient implements OnApplicationShutdown {
  private readonly client: UserVerifyClient;

  constructor(@Inject(APP_CONFIG) private readonly config: GatewayConfig) {
    const definition = loadSync(protoPath(USERVERIFY.protoFile), PROTO_LOADER_OPTIONS);
    const proto = loadPackageDefinition(definition) as unknown as ProtoGrpcType;
    this.client = new proto.userverify.UserVerify(config.RPC_TARGET, credentials.createInsecure(), {
      'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    });
  }

  verifyUser(request: VerifyRequest, requestId: string): Promise<VerifyReply__Output> {
    const metadata = new Metadata();
    metadata.set(REQUEST_ID_HEADER, requestId);
    const deadline = Date.now() + this.config.RPC_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      this.client.verifyUser(request, metadata, { deadline }, (err, reply) =>
        err || !reply ? reject(failure(err)) : resolve(reply),
      );
    });
  }

  onApplicationShutdown(): void {
    this.client.close();
  }
}

function failure(err: ServiceError | null): HttpException {
  const code = err?.code ?? status.UNKNOWN;
  if (code === status.UNAVAILABLE)
    return new UpstreamException(RPC_APP, 'unavailable', err?.details ?? 'UNAVAILABLE');
  if (code === status.DEADLINE_EXCEEDED)
    return new UpstreamException(RPC_APP, 'timeout', 'DEADLINE_EXCEEDED');
  const http = GRPC_TO_HTTP[code] ?? 502;
  // The caller's fault (e.g. INVALID_ARGUMENT): rpc-app-1's message names the field.
  if (http < 500) return new HttpException({ message: err?.details ?? status[code] }, http);
  return new UpstreamException(RPC_APP, 'bad_response', status[code], {}, http);
}
