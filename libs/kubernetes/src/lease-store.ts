import {
  ApiException,
  CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
  V1MicroTime,
} from '@kubernetes/client-node';
import type { LeaseRecord, LeaseStore } from './lease-election';

/**
 * The LeaseStore of lease-election.ts over one coordination.k8s.io/v1 Lease. Writes are
 * conditional on metadata.resourceVersion, so the API server answers 409 to a replace after
 * someone else's write (and to a create of an existing lease): the rejection lease-election.ts
 * relies on to keep two replicas from both leading.
 */
export class KubernetesLeaseStore implements LeaseStore {
  private readonly api: CoordinationV1Api;
  /**
   * The lease as last read or written: a replace at its resourceVersion starts from it, so fields
   * this store does not manage (labels, annotations, spec.strategy, ...) are kept, as client-go's
   * LeaseLock does.
   */
  private last: V1Lease | undefined;

  constructor(
    kubeConfig: KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  async get(): Promise<{ record: LeaseRecord; resourceVersion: string } | null> {
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name: this.name, namespace: this.namespace });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return null;
      throw error;
    }
    this.last = lease;
    return { record: toRecord(lease.spec ?? {}), resourceVersion: versionOf(lease) };
  }

  async create(record: LeaseRecord): Promise<string> {
    const lease = await this.api.createNamespacedLease({
      namespace: this.namespace,
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.name, namespace: this.namespace },
        spec: toSpec(record),
      },
    });
    this.last = lease;
    return versionOf(lease);
  }

  async replace(record: LeaseRecord, resourceVersion: string): Promise<string> {
    const base = this.last?.metadata?.resourceVersion === resourceVersion ? this.last : undefined;
    const lease = await this.api.replaceNamespacedLease({
      name: this.name,
      namespace: this.namespace,
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          ...base?.metadata,
          name: this.name,
          namespace: this.namespace,
          resourceVersion,
        },
        spec: toSpec(record, base?.spec),
      },
    });
    this.last = lease;
    return versionOf(lease);
  }
}

function versionOf(lease: V1Lease): string {
  const version = lease.metadata?.resourceVersion;
  if (!version) throw new Error('the API server answered a Lease without metadata.resourceVersion');
  return version;
}

function toRecord(spec: V1LeaseSpec): LeaseRecord {
  return {
    holderIdentity: spec.holderIdentity || null,
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: toDate(spec.acquireTime),
    renewTime: toDate(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/**
 * client-node 1.4.0 declares the MicroTime fields as V1MicroTime but its deserializer has no entry
 * for that type and hands back the JSON string: accept either. The times are informational only
 * (lease-election.ts judges expiry by its own clock), so a missing one reads as the epoch.
 */
function toDate(value: Date | string | undefined): Date {
  return value === undefined ? new Date(0) : new Date(value);
}

function toSpec(record: LeaseRecord, base: V1LeaseSpec = {}): V1LeaseSpec {
  return {
    ...base,
    // Released (null): the field is left out, which client-go reads as no holder.
    holderIdentity: record.holderIdentity ?? undefined,
    leaseDurationSeconds: record.leaseDurationSeconds,
    // The serializer passes these objects through to JSON.stringify: a plain Date would print
    // milliseconds, which the API server rejects for a MicroTime; V1MicroTime prints microseconds.
    acquireTime: new V1MicroTime(record.acquireTime.getTime()),
    renewTime: new V1MicroTime(record.renewTime.getTime()),
    leaseTransitions: record.leaseTransitions,
  };
}
