import {
  gatewayServicePlan,
  withFrontServiceAddresses,
  withGatewayServiceAddresses,
} from '@app/gateway-api';
import {
  type GatewayApiWatch,
  gatewayApiStatusPublisher,
  gatewayApiStatusWriter,
  gatewayServiceWriter,
  KubernetesLeaseStore,
  type LeaseElection,
  leaseElection,
  loadKubeConfig,
  watchGatewayApi,
} from '@app/kubernetes';
import { routeDefaultsOf } from '@app/routes';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { hostname } from 'node:os';
import type { DataPlaneConfig } from './data-plane-config';
import { gatewayApiReloads } from './gateway-api-reloads';
import { gatewayListeners } from './gateway-listeners';
import type { RouteTableMetrics } from './route-table.metrics';
import type { RouteTableServer } from './route-table-server';
import { terminateTls } from './tls-termination';

/** A kind whose list or watch failed is tried again this often; a failed status write too. */
const GATEWAY_API_RETRY_MS = 2000;
/**
 * Past this the gateway stops starting, with one line naming the kinds it could not list: Nest
 * holds the logs of a starting app back, so a gateway still waiting would say nothing at all.
 */
const GATEWAY_API_START_TIMEOUT_MS = 60_000;

/**
 * Serves what the Gateway API objects of this controller ask for, and writes their status from
 * the one pod that holds the status Lease (docs/adr/0011-gateway-api.md). Resolves once every
 * watched kind has listed and that first table is served (the listener opens only then: until
 * then the gateway is not ready); from then on readiness no longer depends on the API server -
 * its absence only delays the next table. With GATEWAY_API_HTTPS_PORT, HTTPS listeners are served
 * there, their connections handed to `httpServer` once decrypted. With GATEWAY_API_INTERNAL_PORTS,
 * each (Gateway, port) is also served on an internal port of its own, and the leader keeps a
 * Service per Gateway sending there (docs/adr/0011-gateway-api.md, "Per-Gateway addresses"): a
 * Gateway's address is its own Service's. Resolves to what stops it all.
 */
export async function followGatewayApi(
  controllerName: string,
  config: DataPlaneConfig,
  server: RouteTableServer,
  metrics: RouteTableMetrics,
  httpServer: HttpServer,
): Promise<() => Promise<void>> {
  const logger = new Logger('gateway-api');
  const kubeConfig = loadKubeConfig();
  const front = namespaced(config.GATEWAY_API_SERVICE);
  const leaseRef = namespaced(config.GATEWAY_API_STATUS_LEASE);
  // Filled once every kind has listed; no table is built before (changed() waits for applyNow).
  const objects: { watch?: GatewayApiWatch } = {};
  const election: { lease?: LeaseElection } = {};

  const https = config.GATEWAY_API_HTTPS_PORT;
  const internal = config.GATEWAY_API_INTERNAL_PORTS;
  // The Services go beside the front one and select its pods (the config requires it).
  const perGateway =
    internal && front
      ? {
          range: internal,
          front,
          listeners: gatewayListeners(httpServer, { onError: () => metrics.listenerFailed() }),
        }
      : undefined;

  const failedWrites = new Set<string>();
  const publisher = gatewayApiStatusPublisher({
    controllerName,
    writer: gatewayApiStatusWriter(kubeConfig),
    services: perGateway && gatewayServiceWriter(kubeConfig),
    isLeader: () => election.lease?.isLeader() ?? false,
    retryMs: GATEWAY_API_RETRY_MS,
    retry: () => void reloads.applyNow(),
    onFailed: (what, error) => {
      // A conflict is routine (the object changed since it was listed; the watch brings it).
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      const line = `${what}: ${message}`;
      if (failedWrites.has(line)) return;
      failedWrites.add(line);
      logger.warn({ write: line }, 'write failed; written again on the next pass');
    },
  });

  const tls = https === undefined ? undefined : terminateTls(httpServer, https);

  const reloads = gatewayApiReloads(
    {
      snapshot: () => {
        if (!objects.watch) throw new Error('the Gateway API objects are not listed yet');
        const listed = objects.watch.snapshot();
        if (perGateway)
          return withGatewayServiceAddresses(listed, controllerName, perGateway.front.namespace);
        return front ? withFrontServiceAddresses(listed, front) : listed;
      },
      controllerName,
      // GRPCRoutes: the data plane takes h2c on this port (h2c-listener.ts, data-plane.module.ts).
      translateOptions: {
        https: tls !== undefined,
        grpc: true,
        gatewayAddresses: perGateway !== undefined,
      },
      defaults: routeDefaultsOf(config),
      debounceMs: config.GATEWAY_API_DEBOUNCE_MS,
      translated: (snapshot, translation, allocation) => {
        // Only the leader writes them: the other pods do not plan them.
        const leads = election.lease?.isLeader() ?? false;
        const services =
          perGateway && allocation && leads
            ? gatewayServicePlan(snapshot, translation, allocation, {
                controllerName,
                front: perGateway.front,
              })
            : undefined;
        publisher.publish(snapshot, translation, services);
        tls?.update(translation);
      },
      gatewayPorts: perGateway && {
        range: perGateway.range,
        servicesNamespace: perGateway.front.namespace,
        avoid: [config.PORT, config.ADMIN_PORT, ...(https === undefined ? [] : [https])],
        listeners: perGateway.listeners,
      },
    },
    server,
    metrics,
  );
  const watch = await watchGatewayApi({
    config: kubeConfig,
    onChange: () => reloads.changed(),
    onError: (kind, error) =>
      logger.warn(
        { kind, error: error instanceof Error ? error.message : String(error) },
        'watch of the Gateway API objects failed; retried, the last table keeps serving',
      ),
    retryMs: GATEWAY_API_RETRY_MS,
    startTimeoutMs: GATEWAY_API_START_TIMEOUT_MS,
    secrets: tls !== undefined,
  });
  objects.watch = watch;
  await reloads.applyNow();

  if (leaseRef) {
    const identity = `${hostname()}_${randomUUID().slice(0, 8)}`;
    election.lease = leaseElection(
      new KubernetesLeaseStore(kubeConfig, leaseRef.namespace, leaseRef.name),
      {
        identity,
        onStartedLeading: () => {
          logger.log(
            { lease: config.GATEWAY_API_STATUS_LEASE, identity },
            'writing the Gateway API status',
          );
          failedWrites.clear();
          // The objects as listed now, not the last translation: another pod may have written since.
          void reloads.applyNow();
        },
        onStoppedLeading: () =>
          logger.log(
            { lease: config.GATEWAY_API_STATUS_LEASE, identity },
            'no longer writing the Gateway API status',
          ),
        onError: (error) =>
          logger.warn(
            {
              lease: config.GATEWAY_API_STATUS_LEASE,
              error: error instanceof Error ? error.message : String(error),
            },
            'status lease: retried',
          ),
      },
    );
  } else logger.warn('GATEWAY_API_STATUS_LEASE is unset: no Gateway API status is written');

  return async () => {
    tls?.close();
    perGateway?.listeners.close();
    reloads.stop();
    publisher.stop();
    // Handing the lease back lets another pod write status at once, not after the lease expires.
    await election.lease?.stop();
    await watch.stop();
  };
}

function namespaced(value: string | undefined): { namespace: string; name: string } | undefined {
  if (value === undefined) return undefined;
  const [namespace, name] = value.split('/');
  return { namespace, name };
}
