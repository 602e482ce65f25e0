import { type VerifyReply__Output, verifyUserBody, type VerifyUserBody } from '@app/contracts';
import { BodyPipe, Upstream } from '@app/http-server';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { RequestId } from '../request-id.decorator';
import { RPC_APP, VerifyClient } from './verify.client';

@Controller('verify')
export class VerifyController {
  constructor(private readonly verifier: VerifyClient) {}

  @Post()
  @HttpCode(200)
  @Upstream(RPC_APP)
  verify(
    @Body(new BodyPipe(verifyUserBody)) body: VerifyUserBody,
    @RequestId() requestId: string,
  ): Promise<VerifyReply__Output> {
    return this.verifier.verifyUser({ id: body.id, token: body.token }, requestId);
  }
}
