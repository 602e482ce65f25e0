import './tracing';
import { bootstrapHttpService, run } from '@app/bootstrap';
import { loadConfig, webappEnv } from '@app/config';
import { WebappModule } from './webapp.module';

run('webapp-1', async () => {
  const config = loadConfig(webappEnv);
  await bootstrapHttpService({ name: 'webapp-1', config, module: WebappModule });
});
