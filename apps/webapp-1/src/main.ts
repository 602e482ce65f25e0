import './tracing';
import { bootstrapHttpService, run } from '@app/bootstrap';
import { webappEnv } from '@app/config';
import { loadConfig } from '@app/env';
import { WebappModule } from './webapp.module';

run('webapp-1', async () => {
  const config = loadConfig(webappEnv);
  await bootstrapHttpService({ name: 'webapp-1', config, module: WebappModule });
});
