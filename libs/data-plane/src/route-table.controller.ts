import { Controller, Delete, Get, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { TABLE_ROUTE } from '@app/http-server';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RouteTableServer } from './route-table-server';

/**
 * The one Nest route of the route table: every path, every method a table route can take
 * (HEAD comes with GET; OPTIONS stays with CORS preflights). Guards and the error filter apply
 * as to any Nest handler; the table decides the rest (RouteTableServer).
 */
@Controller()
export class RouteTableController {
  constructor(private readonly server: RouteTableServer) {}

  @Get('*')
  @RouteConfig(TABLE_ROUTE)
  get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.server.serve(request, reply);
  }

  @Post('*')
  @RouteConfig(TABLE_ROUTE)
  post(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.server.serve(request, reply);
  }

  @Put('*')
  @RouteConfig(TABLE_ROUTE)
  put(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.server.serve(request, reply);
  }

  @Patch('*')
  @RouteConfig(TABLE_ROUTE)
  patch(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.server.serve(request, reply);
  }

  @Delete('*')
  @RouteConfig(TABLE_ROUTE)
  delete(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.server.serve(request, reply);
  }
}
