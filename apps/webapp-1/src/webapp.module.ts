import { ConfigModule, type WebappConfig } from '@app/config';
import { HealthModule } from '@app/health';
import { LoggingModule } from '@app/logging';
import { MetricsModule } from '@app/metrics';
import { DynamicModule, Module } from '@nestjs/common';
import { ProjectsModule } from './projects/projects.module';

/** webapp-1: the "projects" HTTP service. */
@Module({})
export class WebappModule {
  static forRoot(config: WebappConfig): DynamicModule {
    return {
      module: WebappModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot({ service: 'webapp-1', level: config.LOG_LEVEL }),
        HealthModule.forRoot(),
        MetricsModule.forHttp(),
        ProjectsModule,
      ],
    };
  }
}
