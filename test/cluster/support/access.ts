// How a client outside the cluster reaches a release: the gateway Service's NodePort on the host
// address kube-proxy opens it on, or `kubectl port-forward` on 127.0.0.1 (for a ClusterIP Service).
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { GiveUp, eventually } from '../../support/eventually.ts';
import { KUBECONFIG, KUBECTL, kubectlJson } from './cluster.ts';
import { hostEndpoints } from './endpoints.ts';
import { install, selector, uninstall, type Release } from './release.ts';

/** The gateway Service's NodePort, as http://<NodePort host>:<it>. */
export function gatewayUrl(release: Release): string {
  const services = kubectlJson<{
    items: { spec: { type: string; ports: { name: string; nodePort?: number }[] } }[];
  }>(['get', 'services', '-n', release.namespace, '-l', selector(release, 'gateway')]).items;
  const nodePort = services
    .filter((s) => s.spec.type === 'NodePort')
    .flatMap((s) => s.spec.ports)
    .find((p) => p.nodePort)?.nodePort;
  if (!nodePort) throw new Error(`release ${release.name} has no gateway NodePort`);
  return `http://${hostEndpoints().nodePortHost}:${nodePort}`;
}

/**
 * Resolves once the NodePort behind `url` accepts a TCP connection (bounded). `helm install --wait`
 * returns when the pods are Ready; kube-proxy programs the Service's endpoints a moment later, and
 * until then its rules reject the connection (seen under load: a second or more).
 */
export async function nodePortAccepting(url: string, timeoutMs = 30_000): Promise<void> {
  const { hostname, port } = new URL(url);
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: hostname, port: Number(port), timeout: 1000 });
      const settle = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => settle(true));
      socket.once('error', () => settle(false));
      socket.once('timeout', () => settle(false));
    });
  await eventually(accepts, { timeoutMs, what: `${url}: the NodePort accepting a connection` });
}

export interface PortForward {
  url: string;
  stop(): void;
}

/**
 * `kubectl port-forward` of `resource` (e.g. service/x) to a free port on 127.0.0.1. stop() kills
 * exactly that process (and so does this process's exit).
 */
export async function portForward(
  namespace: string,
  resource: string,
  port: number,
): Promise<PortForward> {
  const child = spawn(
    KUBECTL,
    ['port-forward', '-n', namespace, '--address', '127.0.0.1', resource, `:${port}`],
    { env: { ...process.env, KUBECONFIG }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  const local = await eventually(
    () => {
      if (child.exitCode !== null) throw new GiveUp(`kubectl port-forward exited: ${output}`);
      return /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? false;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `port-forward ${resource}` },
  ).catch((err) => {
    stop();
    throw err;
  });
  return { url: `http://127.0.0.1:${local}`, stop };
}

/**
 * A fresh `helm install --wait` (a leftover release of the same name removed first) whose gateway
 * NodePort already accepts connections: what a spec that sends load needs before it starts.
 * Resolves to the gateway's URL.
 */
export async function installServing(release: Release, values: object | object[]): Promise<string> {
  uninstall(release);
  install(release, values);
  const url = gatewayUrl(release);
  await nodePortAccepting(url);
  return url;
}
