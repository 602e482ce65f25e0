import { gatewayEnv } from '@app/config';
import { createProjectBody, verifyUserBody } from '@app/contracts';
import { loadConfig } from '@app/env';
import { BodyPipe } from '@app/http-server';
import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';
import { compileBodySchema } from './body-schema';
import { defaultRouteTable } from './default-route-table';

// The table-driven gateway checks a body with its route's bodySchema; the seed with the zod
// contract through BodyPipe. For every bad body of test/e2e/api.e2e-spec.ts that reaches that
// check (not the unparseable or empty ones, answered before), both give the same 400.
const table = defaultRouteTable(loadConfig(gatewayEnv, {}));
const routes = {
  '/projects/': { route: 'projects', contract: createProjectBody },
  '/verify/': { route: 'verify', contract: verifyUserBody },
} as const;

const CASES: [keyof typeof routes, unknown, string | undefined, RegExp][] = [
  ['/projects/', [1, 2], undefined, /JSON object/],
  ['/projects/', {}, 'title', /title is required/],
  ['/projects/', { title: '' }, 'title', /title must not be empty/],
  ['/projects/', { title: 42 }, 'title', /title must be a string/],
  ['/projects/', { title: 'x'.repeat(1025) }, 'title', /title must be at most 1024 characters/],
  ['/verify/', { token: 'a$$' }, 'id', /id is required/],
  ['/verify/', { id: '121', token: 'a$$' }, 'id', /id must be an integer/],
  ['/verify/', { id: 1.5, token: 'a$$' }, 'id', /id must be an integer/],
  ['/verify/', { id: 2 ** 31, token: 'a$$' }, 'id', /between 1 and 2147483647/],
  ['/verify/', { id: 0, token: 'a$$' }, 'id', /between 1 and 2147483647/],
  ['/verify/', { id: 121 }, 'token', /token is required/],
  ['/verify/', { id: 121, token: '' }, 'token', /token must not be empty/],
  ['/verify/', { id: 121, token: 7 }, 'token', /token must be a string/],
  // Several problems at once: the first in property order.
  ['/verify/', {}, 'id', /id is required/],
  ['/verify/', { id: '121' }, 'id', /id must be an integer/],
  ['/verify/', { token: 7, id: 0 }, 'id', /between 1 and 2147483647/],
];

function seedAnswer(contract: z.ZodType, body: unknown): { message: string; field?: string } {
  try {
    new BodyPipe(contract).transform(body);
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    const { message, field } = error.getResponse() as { message: string; field?: string };
    return field === undefined ? { message } : { message, field };
  }
  throw new Error(`the contract accepts ${JSON.stringify(body)}`);
}

describe('the default table checks bodies as the seed does (BodyPipe with the contracts)', () => {
  it.each(CASES)('%s %j -> 400 (%s)', (path, body, field, message) => {
    const { route, contract } = routes[path];
    const schema = table.routes.find((r) => r.name === route)?.bodySchema;
    if (!schema) throw new Error(`route ${route} has no bodySchema`);
    const answer = compileBodySchema(schema)(body);
    expect(answer).toEqual(seedAnswer(contract, body));
    expect(answer?.message).toMatch(message);
    expect(answer?.field).toBe(field);
  });

  it.each([
    ['/projects/', { title: 'An awesome project' }],
    ['/projects/', { title: 'x'.repeat(1024), other: 1 }],
    ['/verify/', { id: 121, token: 'a$$' }],
    ['/verify/', { id: 2 ** 31 - 1, token: 't' }],
  ] as const)('%s %j passes both', (path, body) => {
    const { route, contract } = routes[path];
    const schema = table.routes.find((r) => r.name === route)?.bodySchema ?? {};
    expect(compileBodySchema(schema)(body)).toBeNull();
    expect(contract.safeParse(body).success).toBe(true);
  });
});
