// One jest run for the whole repo. `unit` specs sit beside the code (repo-wide checks in
// test/unit) and need nothing running; `e2e` drives the real system (Kafka, PostgreSQL,
// Ollama, the four services); `cluster` drives the Helm chart on a real Kubernetes node.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/shared-interfaces/src', '<rootDir>/libs', '<rootDir>/services', '<rootDir>/test/unit', '<rootDir>/cdk8s/test'],
      testMatch: ['**/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts', '<rootDir>/cdk8s/test/**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      slowTestThreshold: 60,
    },
    {
      // The chart on a real Kubernetes node: run by scripts/test-cluster.sh (npm run
      // test:cluster), which brings the node, KEDA, Traefik, images and infrastructure up.
      displayName: 'cluster',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/cluster'],
      testMatch: ['**/*.cluster-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      slowTestThreshold: 120,
    },
  ],
};
