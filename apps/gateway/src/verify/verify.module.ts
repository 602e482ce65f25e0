import { GrpcUpstreamModule } from '@app/upstream';
import { Module } from '@nestjs/common';
import { RPC_APP, VERIFY_USER, VerifyClient } from './verify.client';
import { VerifyController } from './verify.controller';

@Module({
  imports: [
    GrpcUpstreamModule.register({
      name: RPC_APP,
      // VerifyUser only reads: calling it twice is harmless, so UNAVAILABLE may be retried.
      idempotentMethods: [VERIFY_USER],
      settings: (config) => ({ target: config.RPC_TARGET, timeoutMs: config.RPC_TIMEOUT_MS }),
    }),
  ],
  controllers: [VerifyController],
  providers: [VerifyClient],
})
export class VerifyModule {}
