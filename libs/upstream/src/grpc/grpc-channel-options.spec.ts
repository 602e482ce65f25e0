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
  it('is a service config grpc-js accepts: outlier detection over round robin', () => {
    const options = grpcChannelOptions(policy);
    // grpc-js validates the service config when the channel is created ...
    const channel = new Channel('dns:///svc.test:6000', credentials.createInsecure(), options);
    channel.close();
    // ... and the load balancing config when it applies it.
    const [lb] = serviceConfig(options).loadBalancingConfig;
    const parsed = experimental.parseLoadBalancingConfig(lb);
    expect(parsed.getLoadBalancerName()).toBe('outlier_detection');
    expect(parsed.toJsonObject()).toMatchObject({
      outlier_detection: {
        max_ejection_percent: 50,
        failure_percentage_ejection: { threshold: 50, minimum_hosts: 2, request_volume: 10 },
        child_policy: [{ round_robin: {} }],
      },
    });
  });

  it('makes grpc-js retry nothing: GrpcUpstream owns the one retry mechanism and budget', () => {
    const config = serviceConfig(grpcChannelOptions(policy));
    expect(config.methodConfig).toBeUndefined();
    expect(config.retryThrottling).toBeUndefined();
  });

  it('caps reconnect backoff at the max ejection; discovery settings are not channel options', () => {
    const options = grpcChannelOptions(policy);
    expect(options).toMatchObject({
      'grpc.max_reconnect_backoff_ms': 30_000,
      'grpc.service_config_disable_resolution': 1,
    });
    // PollingDnsResolver gets them typed (usePollingDnsResolver), never parsed back from here.
    expect(options['grpc.dns_min_time_between_resolutions_ms']).toBeUndefined();
  });
});
