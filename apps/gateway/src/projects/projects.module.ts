import { HttpUpstreamModule } from '@app/upstream';
import { Module } from '@nestjs/common';
import { ProjectsController } from './projects.controller';
import { WEBAPP, WebappClient } from './webapp.client';

@Module({
  imports: [
    HttpUpstreamModule.register({
      name: WEBAPP,
      settings: (config) => ({
        url: config.WEBAPP_URL,
        connectTimeoutMs: config.WEBAPP_CONNECT_TIMEOUT_MS,
        timeoutMs: config.WEBAPP_TIMEOUT_MS,
      }),
    }),
  ],
  controllers: [ProjectsController],
  providers: [WebappClient],
})
export class ProjectsModule {}
