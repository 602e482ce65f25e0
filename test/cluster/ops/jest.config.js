// The ops tests on the local cluster, alone: npx jest -c test/cluster/ops/jest.config.js [file]
// (npm run cluster -- up and images first). One file at a time: they share one cluster and its
// metrics APIs.
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'cluster-ops',
  // Relative to this file: the repository.
  rootDir: '../../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster/ops'],
  testMatch: ['**/*.cluster-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  testTimeout: 1_200_000,
  maxWorkers: 1,
};
