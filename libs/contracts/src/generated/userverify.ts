import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { UserVerifyClient as _userverify_UserVerifyClient, UserVerifyDefinition as _userverify_UserVerifyDefinition } from './userverify/UserVerify';
import type { VerifyReply as _userverify_VerifyReply, VerifyReply__Output as _userverify_VerifyReply__Output } from './userverify/VerifyReply';
import type { VerifyRequest as _userverify_VerifyRequest, VerifyRequest__Output as _userverify_VerifyRequest__Output } from './userverify/VerifyRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  userverify: {
    UserVerify: SubtypeConstructor<typeof grpc.Client, _userverify_UserVerifyClient> & { service: _userverify_UserVerifyDefinition }
    VerifyReply: MessageTypeDefinition<_userverify_VerifyReply, _userverify_VerifyReply__Output>
    VerifyRequest: MessageTypeDefinition<_userverify_VerifyRequest, _userverify_VerifyRequest__Output>
  }
}

