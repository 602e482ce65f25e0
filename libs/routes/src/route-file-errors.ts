import type { z } from 'zod';

/**
 * One line per problem of a route file, naming the file, the route (by index, and name if it has
 * one) or upstream, and the field: `routes.yaml: routes[2] "orders": upstream: no upstream named
 * "order-svc"`.
 */
export function issueLines(
  source: string,
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
): string[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => line(source, [...issue.path, key], 'unknown field', raw))
      : [line(source, issue.path, messageOf(issue, valueAt(raw, issue.path)), raw)],
  );
}

function line(source: string, path: readonly PropertyKey[], message: string, raw: unknown) {
  const [section, key, ...field] = path;
  let where = '';
  if (section === 'routes' && typeof key === 'number') {
    const name = valueAt(raw, ['routes', key, 'name']);
    where = `routes[${key}]${typeof name === 'string' ? ` ${JSON.stringify(name)}` : ''}`;
  } else if (section === 'upstreams' && key !== undefined)
    where = `upstreams ${JSON.stringify(String(key))}`;
  else field.splice(0, field.length, ...path);
  return [source, where, fieldPath(field), message].filter((part) => part !== '').join(': ');
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const KINDS: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  record: 'a map',
};

/** zod's wording, made to read like the rest of the gateway's configuration errors. */
function messageOf(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value'))
    return 'required';
  const got =
    value === null || ['string', 'number', 'boolean'].includes(typeof value)
      ? ` (got ${JSON.stringify(value)})`
      : '';
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${KINDS[issue.expected] ?? issue.expected}${got}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}${got}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `expected at least ${issue.minimum as number} item${issue.minimum === 1 ? '' : 's'}`
        : `expected ${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum as number}${got}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `expected at most ${issue.maximum as number} items`
        : `expected ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum as number}${got}`;
    case 'invalid_key':
      return `bad name: ${issue.issues[0]?.message ?? issue.message}`;
    case 'custom':
      return issue.message;
    default:
      return `${issue.message}${got}`;
  }
}
