import { FaultDelayInterceptor } from '@app/fault-injection';
import { Body, Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { CreateProjectDto } from '@app/contracts';
import { type Project, ProjectsService } from './projects.service';

@Controller()
@UseInterceptors(FaultDelayInterceptor)
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post('create')
  @HttpCode(200)
  create(@Body() body: CreateProjectDto): Project {
    return this.projects.create(body.title);
  }
}
