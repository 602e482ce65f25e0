import { Module } from '@nestjs/common';
import { VerifyModule } from './verify/verify.module';

/**
 * rpc-app-1: the "verify" gRPC service. Its features only; bootstrapGrpcService composes the
 * service around them (libs/bootstrap/src/service.module.ts).
 */
@Module({ imports: [VerifyModule] })
export class RpcAppModule {}
