import './tracing';
import { run } from '@app/bootstrap';
import { bootstrapGrpcService } from '@app/bootstrap/grpc';
import { rpcAppEnv } from '@app/config';
import { loadConfig } from '@app/env';
import { USERVERIFY } from '@app/contracts';
import { RpcAppModule } from './rpc-app.module';

run('rpc-app-1', async () => {
  const config = loadConfig(rpcAppEnv);
  await bootstrapGrpcService({
    name: 'rpc-app-1',
    config,
    module: RpcAppModule,
    proto: {
      package: USERVERIFY.package,
      file: USERVERIFY.protoFile,
      services: [`${USERVERIFY.package}.${USERVERIFY.service}`],
    },
  });
});
