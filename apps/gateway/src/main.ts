import './tracing';
import { bootstrapHttpService, run } from '@app/bootstrap';
import { gatewayEnv, loadConfig } from '@app/config';
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
