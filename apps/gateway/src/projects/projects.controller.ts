import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { RequestId } from '../request-id.decorator';
import { CreateProjectDto } from '@app/contracts';
import { Upstream } from '@app/http-server';
import { WEBAPP, WebappClient } from './webapp.client';

@Controller('projects')
export class ProjectsController {
  constructor(private readonly webapp: WebappClient) {}

  @Post()
  @HttpCode(200)
  @Upstream(WEBAPP)
  create(@Body() body: CreateProjectDto, @RequestId() requestId: string): Promise<unknown> {
    return this.webapp.createProject(body.title, requestId);
  }
}
