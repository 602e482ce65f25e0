import { Channel, type ChannelOptions, credentials, experimental } from '@grpc/grpc-js';
import { gatewayEnv, loadConfig } from '@app/config';
import { trafficPolicy } from '../traffic-policy';
import { grpcChannelOptions } from './grpc-channel-options';

// The production defaults.
const policy = trafficPolicy(loadConfig(gatewayEnv, {}));
const VERIFY = { service: 'userverify.UserVerify', method: 'VerifyUser' };

function serviceConfig(options: ChannelOptions) {
  return JSON.parse(options['grpc.service_config'] as string);
}

describe('grpcChannelOptions', () => {
  it('is a service config grpc-js accepts: outlier detection over round robin', () => {
    const options = grpcChannelOptions(policy, [VERIFY]);
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
        child_policy: [{ round_robin: {} }],
      },
    });
  });

  it('retries UNAVAILABLE on idempotent methods only, throttled like the HTTP retry budget', () => {
    const config = serviceConfig(grpcChannelOptions(policy, [VERIFY]));
    expect(config.methodConfig).toEqual([
      {
        name: [VERIFY],
        retryPolicy: expect.objectContaining({
          maxAttempts: 3,
          retryableStatusCodes: ['UNAVAILABLE'],
        }),
      },
    ]);
    expect(config.retryThrottling).toEqual({ maxTokens: 20, tokenRatio: 0.2 });
  });

  it('has no retry policy with RETRY_MAX_ATTEMPTS=1 or without idempotent methods', () => {
    const once = { ...policy, retry: { ...policy.retry, maxAttempts: 1 } };
    for (const config of [
      serviceConfig(grpcChannelOptions(once, [VERIFY])),
      serviceConfig(grpcChannelOptions(policy, [])),
    ]) {
      expect(config.methodConfig).toEqual([]);
      expect(config.retryThrottling).toBeUndefined();
    }
  });

  it('re-resolves at most every refresh period and caps reconnect backoff at the max ejection', () => {
    expect(grpcChannelOptions(policy, [VERIFY])).toMatchObject({
      'grpc.dns_min_time_between_resolutions_ms': 5000,
      'grpc.max_reconnect_backoff_ms': 30_000,
      'grpc.service_config_disable_resolution': 1,
    });
  });
});
