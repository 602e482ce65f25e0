import { Controller, Get, Header } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';

/** Serves prom-client's default registry; typed for Fastify rather than the base class's Express. */
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @Header('Content-Type', register.contentType)
  override async index(): Promise<string> {
    return register.metrics();
  }
}
