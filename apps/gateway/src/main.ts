import './tracing';
import { bootstrapHttpService, run } from '@app/bootstrap';
import { gatewayEnv } from '@app/config';
import { loadConfig } from '@app/env';
import { connectionLimitsOf, tlsCredentialsOf } from '@app/edge';
import { GatewayModule } from './gateway.module';

run('gateway', async () => {
  const config = loadConfig(gatewayEnv);
  await bootstrapHttpService({
    name: 'gateway',
    config,
    module: GatewayModule.forRoot(config),
    connectionLimits: connectionLimitsOf(config),
    tls: tlsCredentialsOf(config),
  });
});
