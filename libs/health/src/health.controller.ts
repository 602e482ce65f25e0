import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { HealthState } from './health-state';

@Controller('_status')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly state: HealthState,
  ) {}

  /** Readiness: 200 while serving, 503 while starting and from the moment shutdown begins. */
  @Get('healthcheck')
  @HealthCheck()
  readiness() {
    return this.health.check([
      () => {
        const check = this.indicator.check('lifecycle');
        if (this.state.isReady) return check.up({ phase: this.state.phase });
        const warmingUp = this.state.warmingUp;
        return check.down({
          phase: this.state.phase,
          ...(warmingUp.length ? { warming_up: warmingUp } : {}),
        });
      },
      async () => {
        const info = await this.state.info();
        return Object.fromEntries(
          Object.entries(info).map(([name, facts]) => [name, { status: 'up', ...facts }]),
        );
      },
    ]);
  }

  /** Liveness: answers as long as the event loop does; never depends on anything else. */
  @Get('liveness')
  liveness() {
    return { status: 'ok' };
  }
}
