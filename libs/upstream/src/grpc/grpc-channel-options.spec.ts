import { Channel, type ChannelOptions, credentials, experimental } from '@grpc/grpc-js';
import { gatewayEnv } from '@app/config';
import { loadConfig } from '@app/env';
import { trafficPolicy } from '../traffic-policy';
import { grpcChannelOptions } from './grpc-channel-options';

// The production defaults.
const policy = trafficPolicy(loadConfig(gatewayEnv, {}));

function serviceConfig(options: ChannelOptions) {
  return JSON.parse(options['grpc.service_config'] as string);
}

describe('grpcChannelOptions', () => {
  it("is a service config grpc-js accepts: the gateway's least-request policy with its outlier rules", () => {
    const options = grpcChannelOptions('rpc-app-1', policy);
    // grpc-js validates the service config when the channel is created ...
    const channel = new Channel('dns:///svc.test:6000', credentials.createInsecure(), options);
    channel.close();
    // ... and the load balancing config when it applies it.
    const [lb] = serviceConfig(options).loadBalancingConfig;
    const parsed = experimental.parseLoadBalancingConfig(lb);
    expect(parsed.getLoadBalancerName()).toBe('gateway_least_request');
    expect(parsed.toJsonObject()).toEqual({
      gateway_least_request: { upstream: 'rpc-app-1', outlier: policy.outlier },
    });
  });

  it('makes grpc-js retry nothing: GrpcUpstream owns the one retry mechanism and budget', () => {
    const config = serviceConfig(grpcChannelOptions('rpc-app-1', policy));
    expect(config.methodConfig).toBeUndefined();
    expect(config.retryThrottling).toBeUndefined();
  });

  it('caps reconnect backoff at the max ejection; discovery settings are not channel options', () => {
    const options = grpcChannelOptions('rpc-app-1', policy);
    expect(options).toMatchObject({
      'grpc.max_reconnect_backoff_ms': 30_000,
      'grpc.service_config_disable_resolution': 1,
    });
    // Pings find a replica that stopped answering (the defaults: 10 s, 5 s).
    expect(options).toMatchObject({
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5000,
      'grpc.keepalive_permit_without_calls': 1,
    });
    // PollingDnsResolver gets them typed (usePollingDnsResolver), never parsed back from here.
    expect(options['grpc.dns_min_time_between_resolutions_ms']).toBeUndefined();
  });
});
