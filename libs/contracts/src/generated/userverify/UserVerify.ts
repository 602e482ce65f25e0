// Original file: proto/userverify.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { VerifyReply as _userverify_VerifyReply, VerifyReply__Output as _userverify_VerifyReply__Output } from '../userverify/VerifyReply';
import type { VerifyRequest as _userverify_VerifyRequest, VerifyRequest__Output as _userverify_VerifyRequest__Output } from '../userverify/VerifyRequest';

export interface UserVerifyClient extends grpc.Client {
  VerifyUser(argument: _userverify_VerifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_userverify_VerifyReply__Output>): grpc.ClientUnaryCall;
  VerifyUser(argument: _userverify_VerifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_userverify_VerifyReply__Output>): grpc.ClientUnaryCall;
  VerifyUser(argument: _userverify_VerifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_userverify_VerifyReply__Output>): grpc.ClientUnaryCall;
  VerifyUser(argument: _userverify_VerifyRequest, callback: grpc.requestCallback<_userverify_VerifyReply__Output>): grpc.ClientUnaryCall;
  verifyUser(argument: _userverify_VerifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_userverify_VerifyReply__Output>): grpc.ClientUnaryCall;
  verifyUser(argument: _userverify_VerifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_userverify_VerifyReply__Output>): grpc.ClientUnaryCall;
  verifyUser(argument: _userverify_VerifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_userverify_VerifyReply__Output>): grpc.ClientUnaryCall;
  verifyUser(argument: _userverify_VerifyRequest, callback: grpc.requestCallback<_userverify_VerifyReply__Output>): grpc.ClientUnaryCall;
  
}

export interface UserVerifyHandlers extends grpc.UntypedServiceImplementation {
  VerifyUser: grpc.handleUnaryCall<_userverify_VerifyRequest__Output, _userverify_VerifyReply>;
  
}

export interface UserVerifyDefinition extends grpc.ServiceDefinition {
  VerifyUser: MethodDefinition<_userverify_VerifyRequest, _userverify_VerifyReply, _userverify_VerifyRequest__Output, _userverify_VerifyReply__Output>
}
