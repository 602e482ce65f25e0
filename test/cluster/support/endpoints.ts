// The cluster's addresses as the cluster reports them, never repeated here: local-cluster/cluster.sh
// derives them (from its pod CIDR and run directory), so the node's address and the DNS its pods use
// come from the API server, and what the tests reach on the host from the file `up` writes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_DIR, kubectl } from './cluster.ts';

export const HOST_ENDPOINTS = join(CLUSTER_DIR, 'state/host-endpoints.json');

export interface HostEndpoints {
  /** The host address kube-proxy opens NodePorts on (nodePortAddresses). */
  nodePortHost: string;
  /** host:port of the local registry Skaffold pushes to and the kubelet pulls from. */
  registry: string;
  /** Node 1's containerd (the one dockerd builds into). */
  containerdSocket: string;
  /** Every node's containerd, node 1's first. */
  containerdSockets: string[];
  dockerSocket: string;
  /** The node that is the host itself (node 1: its InternalIP is the bridge address). */
  hostNode: string;
  /** Every range the cluster routes (pods of each node, Services, the nodes' own network). */
  clusterRanges?: string[];
  /** The bridges `up` made: the only interfaces a packet to those ranges may leave the host by. */
  bridges?: string[];
}

let host: HostEndpoints | undefined;
export function hostEndpoints(): HostEndpoints {
  if (!existsSync(HOST_ENDPOINTS))
    throw new Error(`${HOST_ENDPOINTS} is missing: run \`npm run cluster -- up\` (idempotent)`);
  host ??= JSON.parse(readFileSync(HOST_ENDPOINTS, 'utf8')) as HostEndpoints;
  return host;
}

/** The ranges and bridges of the network rule (local-cluster/lib/network.sh), as `up` wrote them. */
export function clusterNetwork(): { clusterRanges: string[]; bridges: string[] } {
  const { clusterRanges, bridges } = hostEndpoints();
  if (!clusterRanges || !bridges)
    throw new Error(`${HOST_ENDPOINTS} predates clusterRanges: run \`npm run cluster -- up\``);
  return { clusterRanges, bridges };
}

let node: { name: string; ip: string } | undefined;
/**
 * The host's node (node 1 of `up --nodes N`): its name and InternalIP (the bridge address: pods'
 * gateway, API server, CoreDNS, and where host processes serve the cluster).
 */
export function clusterNode(): { name: string; ip: string } {
  node ??= (() => {
    const [name, ip] = kubectl([
      'get',
      'node',
      hostEndpoints().hostNode,
      '-o',
      'jsonpath={.metadata.name} {.status.addresses[?(@.type=="InternalIP")].address}',
    ]).split(' ');
    if (!name || !ip) throw new Error('the cluster has no node with an InternalIP');
    return { name, ip };
  })();
  return node;
}

let dns: string | undefined;
/** The nameserver the kubelet gives every pod (its clusterDNS): CoreDNS. */
export function clusterDns(): string {
  dns ??= (() => {
    const configz = JSON.parse(
      kubectl(['get', '--raw', `/api/v1/nodes/${clusterNode().name}/proxy/configz`]),
    ) as { kubeletconfig: { clusterDNS?: string[] } };
    const first = configz.kubeletconfig.clusterDNS?.[0];
    if (!first) throw new Error('the kubelet has no clusterDNS');
    return first;
  })();
  return dns;
}
