export { PROTO_INCLUDE_DIRS } from './proto-include-dirs';
export { PROTO_LOADER_OPTIONS } from './proto-options';
export { protoPath } from './proto-path';
export type { ProtoGrpcType } from './generated/userverify';
export type { UserVerifyClient } from './generated/userverify/UserVerify';
export type { VerifyRequest, VerifyRequest__Output } from './generated/userverify/VerifyRequest';
export type { VerifyReply, VerifyReply__Output } from './generated/userverify/VerifyReply';

/** The userverify contract as Nest's gRPC transport and grpc-js name it (see proto/userverify.proto). */
export const USERVERIFY = {
  package: 'userverify',
  protoFile: 'userverify.proto',
  service: 'UserVerify',
  method: 'VerifyUser',
} as const;
export { grpcStatusName, grpcStatusOf } from './grpc-status';
export {
  createProjectBody,
  type CreateProjectBody,
  INT32_MAX,
  verifyUserBody,
  type VerifyUserBody,
} from './http/bodies';
export { errorReply, projectCreatedReply, verifyReply } from './http/replies';
export { PUBLIC_API_VERSION, PUBLIC_OPERATIONS, type PublicOperation } from './http/public-api';
