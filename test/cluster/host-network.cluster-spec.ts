// The host reaches the cluster as a node does, and only through the cluster's own bridges
// (local-cluster/lib/network.sh): a Service answers the host at its ClusterIP, whichever node runs
// its pod - as the Gateway API conformance suite needs, which sends its requests to the addresses
// in the Gateways' status - while every address of the cluster's ranges is routed to a bridge, and
// the egress chain drops, where a packet really leaves, whatever would leave by another interface
// after kube-proxy's translation. The last two are read from the kernel (routes, rules) without
// sending anything: a packet sent to prove a drop would leave the machine if the drop were missing.
import { execFileSync } from 'node:child_process';
import { nodePortAccepting } from './support/access.ts';
import { clusterNodes } from './support/cluster.ts';
import { deployEcho, removeEcho } from './support/echo.ts';
import { clusterNetwork } from './support/endpoints.ts';
import { deleteNamespace } from './support/release.ts';

const NAMESPACE = 'gs-host-network';
const EGRESS_CHAIN = 'GWS-EGRESS';

beforeAll(() => deleteNamespace(NAMESPACE), 200_000);
afterAll(() => deleteNamespace(NAMESPACE), 200_000);

function run(file: string, args: string[]): string {
  return execFileSync(file, args, { encoding: 'utf8', timeout: 10_000 });
}

/** The last host address of an IPv4 range (a.b.c.d/n), one no pod is given first. */
function lastHostAddress(range: string): string {
  const [address, bits] = range.split('/');
  const base = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const last = base + 2 ** (32 - Number(bits)) - 2;
  return [24, 16, 8, 0].map((shift) => Math.floor(last / 2 ** shift) % 256).join('.');
}

test('the host reaches a Service at its ClusterIP, on every node', async () => {
  const nodes = clusterNodes().filter((node) => node.ready);
  expect(nodes.length).toBeGreaterThan(0);
  for (const [i, node] of nodes.entries()) {
    const echo = await deployEcho(NAMESPACE, { name: `echo-node-${i + 1}`, nodeName: node.name });
    try {
      // kube-proxy programs a new Service's endpoints a moment after its pods are Ready.
      await nodePortAccepting(`http://${echo.clusterAddress}`);
      const response = await fetch(`http://${echo.clusterAddress}/via-cluster-ip`, {
        signal: AbortSignal.timeout(15_000),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        path: '/via-cluster-ip',
        namespace: NAMESPACE,
        service: echo.name,
      });
    } finally {
      removeEcho(echo);
    }
  }
}, 600_000);

test("every range of the cluster is routed to one of the cluster's bridges", () => {
  const { clusterRanges, bridges } = clusterNetwork();
  expect(clusterRanges.length).toBeGreaterThanOrEqual(2);
  const routes = clusterRanges.map((range) => {
    const probe = lastHostAddress(range);
    const [route] = JSON.parse(run('ip', ['-j', 'route', 'get', probe])) as { dev: string }[];
    return { range, probe, dev: route.dev };
  });
  expect(routes.filter((route) => !bridges.includes(route.dev))).toEqual([]);
});

test('the egress chain drops any packet to those ranges that leaves by another interface', () => {
  const { clusterRanges, bridges } = clusterNetwork();
  const rules = run('iptables', ['-t', 'mangle', '-S']).split('\n');
  // First in POSTROUTING, where -o is the interface a packet really leaves by (after the DNAT).
  expect(rules.find((rule) => rule.startsWith('-A POSTROUTING '))).toBe(
    `-A POSTROUTING -j ${EGRESS_CHAIN}`,
  );
  const chain = rules.filter((rule) => rule.startsWith(`-A ${EGRESS_CHAIN} `));
  const drops = clusterRanges.flatMap((range) => [
    `-A ${EGRESS_CHAIN} -d ${range} -j DROP`,
    `-A ${EGRESS_CHAIN} -m conntrack --ctorigdst ${range} -j DROP`,
  ]);
  expect(chain).toEqual([
    ...['lo', ...bridges].map((out) => `-A ${EGRESS_CHAIN} -o ${out} -j RETURN`),
    ...drops,
  ]);
});
