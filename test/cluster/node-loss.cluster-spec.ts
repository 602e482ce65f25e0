// A node that drops off the network under load, then comes back (`npm run cluster -- node-link N
// down|up`: its veth on the host bridge cut, so its kubelet, its pods and their connections are
// black-holed - what a dead machine or a partition looks like to the rest of the cluster). Counted
// at a client opening a connection per request, per side: requests with no answer (kube-proxy sends
// new connections to a gateway pod on the lost node until its endpoints turn not ready) and requests
// the gateway answered with an error (a backend pod on the lost node). What the stack cannot yet
// avoid is reported, not asserted; asserted is what it guarantees: it keeps answering throughout,
// the node controller takes the lost node's pods out of the endpoints, and once the node is back
// every app is whole again with its pods where they were.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { eventually } from '../support/eventually.ts';
import { installServing } from './support/access.ts';
import { clusterNodes, clusterScript } from './support/cluster.ts';
import { placement, readyNodeNames } from './support/nodes.ts';
import { readyPods } from './support/pods.ts';
import { APPS, LOAD_TEST_VALUES, uninstall, type Release } from './support/release.ts';
import { DEADLINE_MS, startLoad, UNANSWERED_REPLICA_BOUND } from './support/traffic.ts';

const release: Release = { name: 'loss', namespace: 'gs-node-loss' };
/** Past the node controller's grace period (node-monitor-grace-period, 40-50 s): the node turns NotReady. */
const CUT_MS = 70_000;
let url = '';

beforeAll(async () => {
  url = await installServing(release, LOAD_TEST_VALUES);
}, 400_000);

afterAll(async () => {
  uninstall(release);
}, 300_000);

test('a node cut off under load: the stack keeps answering and is whole again when the node is back', async () => {
  const before = placement(release);
  const target = readyNodeNames()
    .reverse()
    .find((node) => /-\d+$/.test(node) && APPS.every((app) => before[app].includes(node)));
  expect({ placement: before, target }).toEqual({ placement: before, target: expect.any(String) });
  const number = target!.match(/-(\d+)$/)![1];
  const newConnections = new Agent({ pipelining: 0 });
  const load = startLoad(url, 2, newConnections);
  let cutAt = 0;
  let notReadyAfterMs = -1;
  let restoredAt: number;
  let report: Awaited<ReturnType<typeof load.stop>>;
  try {
    await sleep(3000);
    cutAt = Date.now();
    await clusterScript('node-link', [number, 'down']);
    while (Date.now() - cutAt < CUT_MS) {
      if (notReadyAfterMs < 0 && clusterNodes().some((n) => n.name === target && !n.ready))
        notReadyAfterMs = Date.now() - cutAt;
      await sleep(1000);
    }
  } finally {
    await clusterScript('node-link', [number, 'up']);
    restoredAt = Date.now();
  }
  try {
    await eventually(() => clusterNodes().some((n) => n.name === target && n.ready), {
      timeoutMs: 120_000,
      intervalMs: 1000,
      what: `${target} Ready again`,
    });
    await eventually(() => APPS.every((app) => readyPods(release, app).length === 3), {
      timeoutMs: 180_000,
      intervalMs: 1000,
      what: 'every app with 3 Ready pods',
    });
    await sleep(5000);
  } finally {
    report = await load.stop();
    await newConnections.close();
  }
  const whole = Date.now() - restoredAt;
  const during = report.failed.filter((o) => o.startedAt >= cutAt - 15_000);
  // No answer at all: the connection went to a gateway pod on the lost node.
  const gatewaySide = during.filter((o) => o.status === 0);
  // Answered by a gateway with an error: a backend pod on the lost node.
  const backendSide = (route: string) => during.filter((o) => o.status !== 0 && o.route === route);
  // A request whose connection reached the returning node's gateway once the link was back (its
  // SYN retransmitted, so it may have started before) met that gateway's gRPC connections still in
  // their reconnect backoff, grown over the cut: answered 503 "no replica reachable" at once, seen
  // in 3 of 6 runs (2 to 4 requests). A call now has them reconnect first (least-request-lb.ts,
  // ReconnectingPicker); still reported rather than asserted, as the answers come from a node whose
  // state the cut left unknown (docs/kubernetes.md, "Node loss, the return").
  const afterReturn = (o: (typeof during)[number]) =>
    o.startedAt + o.ms >= restoredAt && o.status === 503 && o.text.includes('no replica reachable');
  const ok = report.total - report.failed.length;
  const lastFailure = Math.max(0, ...during.map((o) => o.startedAt + o.ms - cutAt));
  const waits = (outcomes: typeof during) =>
    outcomes
      .map(
        (o) =>
          `${o.status}@${((o.startedAt - cutAt) / 1000).toFixed(1)}+${(o.ms / 1000).toFixed(1)}s`,
      )
      .join(' ') || '-';
  console.log(
    `node ${target} cut for ${CUT_MS / 1000} s under load (new connection per request): ` +
      `${report.failed.length} of ${report.total} failed (${JSON.stringify(report.byRoute)} sent) - ` +
      `gateway side (no answer) ${gatewaySide.length}, longest wait ${Math.round(Math.max(0, ...gatewaySide.map((o) => o.ms)))} ms, last ${Math.round(
        Math.max(0, ...gatewaySide.map((o) => o.startedAt - cutAt)) / 1000,
      )} s after the cut; backend side /projects/ ${waits(backendSide('projects'))}; /verify/ ${waits(backendSide('verify'))}` +
      ` (of them after the link came back, "no replica reachable": ${during.filter(afterReturn).length}); ` +
      `last failure ${Math.round(lastFailure / 1000)} s after the cut; node NotReady after ${Math.round(
        notReadyAfterMs / 1000,
      )} s; whole again ${Math.round(whole / 1000)} s after the link came back; placement before ${JSON.stringify(
        before,
      )} after ${JSON.stringify(placement(release))}`,
  );
  // Backends on the lost node: idempotent calls were retried elsewhere, every one answered.
  expect(backendSide('verify').filter((o) => !afterReturn(o))).toEqual([]);
  // Non-idempotent calls lost only what was written to the lost node: the deadline answered them.
  expect(backendSide('projects').every((o) => o.status === 504 && o.ms >= DEADLINE_MS - 100)).toBe(
    true,
  );
  expect(backendSide('projects').length).toBeLessThanOrEqual(UNANSWERED_REPLICA_BOUND);
  // The node controller noticed within the cut.
  expect(notReadyAfterMs).toBeGreaterThan(0);
  // The stack kept answering: most requests succeeded (2 of 3 of every app were never touched).
  expect(ok).toBeGreaterThan(report.failed.length);
  // Whole again, the pods back where they were (none was evicted in that time).
  expect(placement(release)).toEqual(
    Object.fromEntries(APPS.map((app) => [app, expect.arrayContaining(before[app])])),
  );
}, 900_000);
