// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tools/', 'coverage/', 'libs/contracts/src/generated/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // The apps read configuration only through loadConfig (@app/env) and their schema
      // (@app/config): one validated place.
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Read configuration through loadConfig (@app/env) with the app schema (@app/config).',
        },
      ],
    },
  },
  {
    // Dev tooling (local runner, tests, benchmarks, build scripts) may read the environment.
    files: [
      'scripts/**',
      'process-topology/**',
      'test/**',
      'bench/**',
      // The one reader of the environment.
      'libs/env/src/load-config.ts',
      // Tracing starts before Nest and the config schema; the SDK reads the standard OTEL_* variables.
      'libs/tracing/src/start-tracing.ts',
      '**/*.spec.ts',
      '*.js',
      '*.mjs',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
