import {
  PROTO_LOADER_OPTIONS,
  type ProtoGrpcType,
  protoPath,
  USERVERIFY,
  type UserVerifyClient,
  type VerifyReply__Output,
  type VerifyRequest,
} from '@app/contracts';
import { GrpcUpstream } from '@app/upstream';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Injectable } from '@nestjs/common';

export const RPC_APP = 'rpc-app-1';

/** The one method the gateway calls; VerifyUser only reads, so it is listed as idempotent. */
export const VERIFY_USER = {
  service: `${USERVERIFY.package}.${USERVERIFY.service}`,
  method: USERVERIFY.method,
};

/** rpc-app-1's UserVerify service; balancing, retries and breaking live in GrpcUpstream. */
@Injectable()
export class VerifyClient {
  private readonly client: UserVerifyClient;

  constructor(private readonly rpcApp: GrpcUpstream) {
    const definition = loadSync(protoPath(USERVERIFY.protoFile), PROTO_LOADER_OPTIONS);
    const proto = loadPackageDefinition(definition) as unknown as ProtoGrpcType;
    this.client = rpcApp.createClient(proto.userverify.UserVerify);
  }

  verifyUser(request: VerifyRequest, requestId: string): Promise<VerifyReply__Output> {
    return this.rpcApp.unary<VerifyReply__Output>(
      VERIFY_USER,
      requestId,
      (metadata, options, callback) => this.client.verifyUser(request, metadata, options, callback),
    );
  }
}
