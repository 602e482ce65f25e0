import { USERVERIFY, type VerifyReply, type VerifyRequest__Output } from '@app/contracts';
import { FaultDelayInterceptor } from '@app/fault-injection';
import { Controller, UseInterceptors } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { VerifyService } from './verify.service';

@Controller()
@UseInterceptors(FaultDelayInterceptor)
export class VerifyController {
  constructor(private readonly verifier: VerifyService) {}

  @GrpcMethod(USERVERIFY.service, USERVERIFY.method)
  verifyUser(request: VerifyRequest__Output): VerifyReply {
    return this.verifier.verify(request);
  }
}
