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
// The cluster tests' setup (test/cluster/support): the cluster brought up with CLUSTER_NODES nodes
// (3 unless set), the images built into every node, taken down at the end.
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
      testPathIgnorePatterns:
        process.env.CLUSTER_KEDA === '1' ? [] : ['/keda\\.cluster-spec\\.ts$'],
    },
  ],
};
