// Four projects: fast unit tests next to the code; end-to-end tests under test/e2e that start the
// built apps as real processes; Kubernetes packaging tests under test/k8s that drive the real helm
// (chart, skaffold.yaml, Dockerfile) - `npm test` runs those three - and the cluster tests under
// test/cluster, on a real local Kubernetes with images built from the Dockerfile (`npm run
// test:cluster`, root only, one file at a time: they share one cluster of 3 nodes; local-cluster/cluster.sh).
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.jest.json' }];

const moduleNameMapper = {
  '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src',
  '^@app/bootstrap/grpc$': '<rootDir>/libs/bootstrap/src/bootstrap-grpc-service',
  // Each library's part of the environment schema, for libs/config/src/env-schema.ts.
  '^@app/auth/env$': '<rootDir>/libs/auth/src/auth-env',
  '^@app/bootstrap/env$': '<rootDir>/libs/bootstrap/src/service-env',
  '^@app/edge/env$': '<rootDir>/libs/edge/src/edge-env',
  '^@app/fault-injection/env$': '<rootDir>/libs/fault-injection/src/fault-env',
  '^@app/ratelimit/env$': '<rootDir>/libs/ratelimit/src/rate-limit-env',
  '^@app/upstream/env$': '<rootDir>/libs/upstream/src/upstream-env',
  '^@app/routes/env$': '<rootDir>/libs/routes/src/routes-env',
};

/** @type {import('jest').Config} */
// The cluster projects share one setup (test/cluster/support: the cluster brought up with
// CLUSTER_NODES nodes, the images built into every node, taken down at the end).
const cluster = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.cluster-spec.ts'],
  transform: { '^.+\\.ts$': tsJest },
  globalSetup: '<rootDir>/test/cluster/support/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/test/cluster/support/timeouts.ts'],
  globalTeardown: '<rootDir>/test/cluster/support/global-teardown.ts',
  slowTestThreshold: 120,
};
const MULTI_NODE_SPECS = [
  '/spread\\.cluster-spec\\.ts$',
  '/drain\\.cluster-spec\\.ts$',
  '/node-loss\\.cluster-spec\\.ts$',
];

module.exports = {
  // Global only (jest ignores it per project): end-to-end and chart tests start real processes.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: __dirname,
      roots: [
        '<rootDir>/apps',
        '<rootDir>/libs',
        '<rootDir>/scripts',
        '<rootDir>/process-topology',
      ],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      moduleNameMapper,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: __dirname,
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      moduleNameMapper,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      slowTestThreshold: 30,
    },
    {
      displayName: 'k8s',
      testEnvironment: 'node',
      rootDir: __dirname,
      roots: ['<rootDir>/test/k8s'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      // The chart is checked against the apps' own env schemas (@app/config).
      moduleNameMapper,
    },
    {
      ...cluster,
      displayName: 'cluster',
      // KEDA's build adds ~25 min on 2 cores: its proof runs when it was built (CLUSTER_KEDA=1 npm run
      // cluster -- up; then CLUSTER_KEDA=1 npm run test:cluster), not in every run.
      testPathIgnorePatterns: [
        ...MULTI_NODE_SPECS,
        ...(process.env.CLUSTER_KEDA === '1' ? [] : ['/keda\\.cluster-spec\\.ts$']),
      ],
    },
    {
      // The specs that need several nodes, on a cluster of CLUSTER_NODES=3 (npm run test:cluster
      // brings it up after the single-node suite; docs/local-cluster.md). The node-loss spec (a node
      // cut off for 70 s under load, ~2 min) reports more than it proves and has run only by hand
      // so far: CLUSTER_NODE_LOSS=1 runs it.
      ...cluster,
      displayName: 'cluster-nodes',
      testMatch: [
        '**/spread.cluster-spec.ts',
        '**/drain.cluster-spec.ts',
        // The host's reach of every node's Services, and the network rule with a second bridge.
        '**/host-network.cluster-spec.ts',
        ...(process.env.CLUSTER_NODE_LOSS === '1' ? ['**/node-loss.cluster-spec.ts'] : []),
      ],
    },
  ],
};
