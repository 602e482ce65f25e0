import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Validates the environment once, at start-up. The first problem becomes one readable line naming
 * the variable, e.g. `Invalid configuration: PORT: expected an integer from 1 to 65535 (got "abc")`.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  // Empty strings mean "unset" (a chart or shell that sets FOO= should get the default).
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = issue.path.join('.');
  const got = cleaned[variable];
  throw new ConfigError(
    `Invalid configuration: ${variable}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`,
  );
}
