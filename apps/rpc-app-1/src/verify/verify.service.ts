import { INT32_MAX, type VerifyReply, type VerifyRequest__Output } from '@app/contracts';
import { status } from '@grpc/grpc-js';
import { Injectable } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';

/**
 * Verifies a user as the original demo did, minus its bug: proto3 cannot tell a missing field from
 * zero / "", so both are rejected with INVALID_ARGUMENT naming the field instead of "Verified: 0".
 */
@Injectable()
export class VerifyService {
  verify(request: VerifyRequest__Output): VerifyReply {
    const { id, token } = request;
    if (!Number.isInteger(id) || id < 1 || id > INT32_MAX) {
      throw new RpcException({
        code: status.INVALID_ARGUMENT,
        message: 'id must be a positive 32-bit integer',
      });
    }
    if (typeof token !== 'string' || token.length === 0) {
      throw new RpcException({
        code: status.INVALID_ARGUMENT,
        message: 'token must be a non-empty string',
      });
    }
    return { message: `Verified: ${id}` };
  }
}
