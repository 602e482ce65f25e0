// The chart's defaults on a cluster of 3 nodes (`npm run cluster -- up --nodes 3`, what the cluster
// tests bring up): its topology spread over kubernetes.io/hostname and its soft pod anti-affinity
// put the 3 replicas of each app on 3 different nodes, so the loss of any one node leaves 2 of each
// serving. Nothing but the chart decides this: the scheduler is free to stack them.
import { readyNodeNames, placement } from './support/nodes.ts';
import { APPS, install, uninstall, type Release } from './support/release.ts';

const release: Release = { name: 'spread', namespace: 'gs-spread' };

beforeAll(() => {
  uninstall(release);
  install(release);
}, 400_000);

afterAll(() => uninstall(release), 300_000);

test("the chart's defaults put the 3 replicas of each app on 3 different nodes", () => {
  expect(readyNodeNames().length).toBeGreaterThanOrEqual(3);
  const where = placement(release);
  console.log(`placement on ${readyNodeNames().length} nodes: ${JSON.stringify(where)}`);
  for (const app of APPS)
    expect({ app, replicas: where[app].length, nodes: new Set(where[app]).size }).toEqual({
      app,
      replicas: 3,
      nodes: 3,
    });
});
