import { Controller, Get, Headers, Res, type Type } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { renderMetrics } from './exposition';

/**
 * The /metrics controller of an app: prom-client's default registry in the format the scraper
 * negotiates (see exposition.ts), every series labelled with the app name.
 */
export function metricsController(app: string): Type<unknown> {
  const defaultLabels = { app };

  @Controller()
  class MetricsController {
    @Get()
    async index(
      @Headers('accept') accept: string | undefined,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<string> {
      const { contentType, body } = await renderMetrics(defaultLabels, accept);
      reply.header('content-type', contentType);
      return body;
    }
  }
  return MetricsController;
}
