import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { Agent } from 'node:http';
import { ProjectsController } from './projects.controller';
import { WebappClient } from './webapp.client';

@Module({
  imports: [
    // Keep-alive pool: a fresh TCP connection per request would dominate the gateway's latency.
    HttpModule.register({ httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) }),
  ],
  controllers: [ProjectsController],
  providers: [WebappClient],
})
export class ProjectsModule {}
