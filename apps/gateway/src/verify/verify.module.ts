import { Module } from '@nestjs/common';
import { VerifyClient } from './verify.client';
import { VerifyController } from './verify.controller';

@Module({ controllers: [VerifyController], providers: [VerifyClient] })
export class VerifyModule {}
