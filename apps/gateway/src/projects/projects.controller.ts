import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { RequestId } from '../request-id.decorator';
import { createProjectBody, type CreateProjectBody } from '@app/contracts';
import { BodyPipe, Upstream } from '@app/http-server';
import { WEBAPP, WebappClient } from './webapp.client';

@Controller('projects')
export class ProjectsController {
  constructor(private readonly webapp: WebappClient) {}

  @Post()
  @HttpCode(200)
  @Upstream(WEBAPP)
  create(
    @Body(new BodyPipe(createProjectBody)) body: CreateProjectBody,
    @RequestId() requestId: string,
  ): Promise<unknown> {
    return this.webapp.createProject(body.title, requestId);
  }
}
