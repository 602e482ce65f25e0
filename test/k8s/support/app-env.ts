// The apps' env schemas (@app/config), for comparing the chart with them. Loaded with require: jest
// maps @app/* to the libraries (jest.config.js), while the type check of test/ (erasable TypeScript
// under nodenext, tsconfig.scripts.json) cannot compile the NestJS libraries; this typed view is
// all the chart tests need of them.
import type { z } from 'zod';

/** The parts of a zod object schema the chart tests use. */
export type EnvSchema = Pick<z.ZodObject, 'shape' | 'safeParse'>;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const config = require('@app/config') as Record<
  'gatewayEnv' | 'webappEnv' | 'rpcAppEnv',
  EnvSchema
>;

export const { gatewayEnv, webappEnv, rpcAppEnv } = config;

/** The gateway's rule that each authentication scheme in use has what it needs (libs/auth). */
export const { checkAuthConfig } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  require('@app/auth/env') as {
    checkAuthConfig(
      config: Record<string, unknown>,
      context: { addIssue(issue: { message: string }): void },
    ): void;
  };
