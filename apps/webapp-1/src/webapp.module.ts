import { Module } from '@nestjs/common';
import { ProjectsModule } from './projects/projects.module';

/**
 * webapp-1: the "projects" HTTP service. Its features only; bootstrapHttpService composes the
 * service around them (libs/bootstrap/src/service.module.ts).
 */
@Module({ imports: [ProjectsModule] })
export class WebappModule {}
