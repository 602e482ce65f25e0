// The seed's two requests and their exact answers, as a client outside the cluster sends them.
import { eventually } from '../../support/eventually.ts';
import { postJson } from '../../support/http.ts';
import { client } from './client.ts';

export const SEED_REQUESTS = {
  projects: { path: '/projects/', body: { title: 'An awesome project' } },
  verify: { path: '/verify/', body: { id: 121, token: 'a$$' } },
} as const;
export type SeedRequest = keyof typeof SEED_REQUESTS;

/** One of the seed's requests, sent once. */
export function sendSeed(baseUrl: string, request: SeedRequest) {
  const { path, body } = SEED_REQUESTS[request];
  return postJson(`${baseUrl}${path}`, body, {}, client);
}

/** The seed's requests, once each; the caller asserts the exact answers. */
export async function seedRequests(baseUrl: string) {
  return {
    projects: await sendSeed(baseUrl, 'projects'),
    verify: await sendSeed(baseUrl, 'verify'),
  };
}

export function expectSeedAnswers(answers: Awaited<ReturnType<typeof seedRequests>>): void {
  expect({ status: answers.projects.status, body: answers.projects.body }).toEqual({
    status: 200,
    body: { id: expect.any(Number), url: 'Project-An awesome project' },
  });
  expect({ status: answers.verify.status, body: answers.verify.body }).toEqual({
    status: 200,
    body: { message: 'Verified: 121' },
  });
}

/** Waits until the seed's requests answer exactly (a release that is still starting may not yet). */
export async function seedAnswered(baseUrl: string, timeoutMs: number): Promise<void> {
  await eventually(async () => expectSeedAnswers(await seedRequests(baseUrl)), {
    timeoutMs,
    intervalMs: 1000,
    what: `the seed's answers from ${baseUrl}`,
  });
}
