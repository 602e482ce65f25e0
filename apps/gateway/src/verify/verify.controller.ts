import type { VerifyReply__Output } from '@app/contracts';
import { Upstream } from '@app/http-server';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { RequestId } from '../request-id.decorator';
import { RPC_APP, VerifyClient } from './verify.client';
import { VerifyUserDto } from './verify-user.dto';

@Controller('verify')
export class VerifyController {
  constructor(private readonly verifier: VerifyClient) {}

  @Post()
  @HttpCode(200)
  @Upstream(RPC_APP)
  verify(
    @Body() body: VerifyUserDto,
    @RequestId() requestId: string,
  ): Promise<VerifyReply__Output> {
    return this.verifier.verifyUser({ id: body.id, token: body.token }, requestId);
  }
}
