import { FaultDelayInterceptor } from '@app/fault-injection';
import { Body, Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { createProjectBody, type CreateProjectBody } from '@app/contracts';
import { BodyPipe } from '@app/http-server';
import { type Project, ProjectsService } from './projects.service';

@Controller()
@UseInterceptors(FaultDelayInterceptor)
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post('create')
  @HttpCode(200)
  create(@Body(new BodyPipe(createProjectBody)) body: CreateProjectBody): Project {
    return this.projects.create(body.title);
  }
}
